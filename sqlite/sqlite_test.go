package sqlite_test

import (
	"testing"

	"github.com/kith-crm/kith/internal/teststore"
	"github.com/kith-crm/kith/storetest"
)

func TestStore(t *testing.T) { storetest.Run(t, teststore.SQLite) }
