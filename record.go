package kith

import (
	"encoding/json"
	"time"
)

// Record is one record of an object: a person, a company or a custom
// object's record. Values holds the stored value of every attribute that is
// set, keyed by attribute key; an absent key is null.
type Record struct {
	ID        string
	Object    string
	Values    map[string]any
	Seq       int64 // the workspace change sequence of the last change
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Tombstone is what a deleted record leaves for the changes feed.
type Tombstone struct {
	Seq       int64
	Object    string
	RecordID  string
	DeletedAt time.Time
}

// Input is a write request body, already mapped from its JSON shape to
// attribute keys by a view.
type Input struct {
	Fields []InputField
	// Problems holds what the view found wrong (unknown keys, wrong shapes);
	// they are reported together with the values' own problems.
	Problems Problems
}

// InputField is one attribute value of a body.
type InputField struct {
	Key  string          // attribute key
	Path string          // where the value was in the body, for errors
	Raw  json.RawMessage // the JSON value; null clears
	// Custom is set when the value came under customAttributes, where only
	// custom attributes may appear.
	Custom bool
}

// Outcome says what a write did.
type Outcome string

// Outcomes of a write.
const (
	Created   Outcome = "created"
	Updated   Outcome = "updated"
	Unchanged Outcome = "unchanged"
)

// Result is a record together with the schema it is rendered with.
type Result struct {
	Object  *Object
	Record  Record
	Outcome Outcome
	// Related holds the records that the standard relation attributes
	// (a person's company) point at, by id, for embedding.
	Related map[string]Record
}

// MatchKey is one normalized value of a keyed attribute, as kept in the
// match-key index.
type MatchKey struct {
	Attribute string
	Value     string
	Unique    bool
}

// Link is one relation link from a record: attribute Attribute points at
// record Target.
type Link struct {
	Attribute string
	Target    string
}

// LinkFrom is a link seen from its target.
type LinkFrom struct {
	Object    string
	RecordID  string
	Attribute string
}

// Index is what a record's values put into the store's indexes: match keys
// and relation links.
type Index struct {
	Keys  []MatchKey
	Links []Link
}

// KeyHit is a record that holds a match key.
type KeyHit struct {
	Attribute string
	Value     string
	RecordID  string
}

// ListQuery selects one page of an object's records in id order (which is
// creation order, ids being UUIDv7).
type ListQuery struct {
	Limit  int
	Offset int       // page mode
	After  string    // cursor mode: ids greater than this
	Key    *MatchKey // exact lookup through the match-key index
}

// Page is one page of records.
type Page struct {
	Object  *Object
	Records []Record
	Related map[string]Record // as in Result
	// Total is the number of matching records (page mode only).
	Total int
	// More is set when records follow this page.
	More bool
}
