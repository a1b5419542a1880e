package sqlite_test

import (
	"testing"

	"github.com/kith-crm/kith/internal/teststore"
	"github.com/kith-crm/kith/storetest"
)

func BenchmarkAssert(b *testing.B) { storetest.BenchmarkAssert(b, teststore.SQLite) }
