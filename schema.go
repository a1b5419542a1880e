package kith

import (
	"slices"
	"sort"
	"strings"
	"time"
)

// AttributeType is the data type of an attribute. It cannot change after the
// attribute is created.
type AttributeType string

// The attribute types of the Zeeg CRM contract.
const (
	TypeText        AttributeType = "text"
	TypeNumber      AttributeType = "number"
	TypePhoneNumber AttributeType = "phone_number"
	TypeDate        AttributeType = "date"
	TypeDatetime    AttributeType = "datetime"
	TypeCheckbox    AttributeType = "checkbox"
	TypeSelect      AttributeType = "select"
	TypeMultiselect AttributeType = "multiselect"
	TypeRating      AttributeType = "rating"
	TypeRelation    AttributeType = "relation"
	TypeStatus      AttributeType = "status"
	TypeUser        AttributeType = "user"
	TypeCurrency    AttributeType = "currency"
)

// Text validations. Clients may set email and url; domain is the
// companies' domain attribute's own.
const (
	ValidateEmail  = "email"
	ValidateURL    = "url"
	ValidateDomain = "domain"
)

// Relation types.
const (
	ManyToOne  = "many_to_one"
	OneToOne   = "one_to_one"
	OneToMany  = "one_to_many"
	ManyToMany = "many_to_many"
)

// Option is one choice of a select, multiselect or status attribute.
type Option struct {
	ID    string `json:"id"`
	Value string `json:"value"`
	Color string `json:"color,omitempty"`
}

// Attribute is the definition of one attribute of an object.
type Attribute struct {
	Key        string
	Label      string
	Type       AttributeType
	IsRequired bool
	IsStandard bool
	IsUnique   bool
	IsArchived bool
	// IsMultiValue marks an attribute that holds a list of values of its
	// type (people's emails). On assert, new values are appended.
	IsMultiValue bool
	Options      []Option
	Validation   []string
	// MaxLength bounds text values in characters; 0 means 255.
	MaxLength int

	RelationType       string
	RelatedObjectSlug  string
	RelatedObjectLabel string
	Currency           string
	CurrencyDisplay    string
	CurrencyDecimal    bool
	CurrencyGrouping   bool

	CreatedAt time.Time
	UpdatedAt time.Time

	// Field is where a standard attribute lives in the people and companies
	// JSON (firstName, socials.linkedin). Empty for custom attributes, which
	// live under customAttributes.
	Field string
	// keyed marks a standard attribute with match keys although it is not
	// unique (phone_number).
	keyed bool
}

// Keyed reports whether the attribute's values are kept in the match-key
// index, making a lookup by value an index lookup instead of a scan.
func (a *Attribute) Keyed() bool { return a.IsUnique || a.keyed }

func (a *Attribute) validates(v string) bool {
	for _, x := range a.Validation {
		if x == v {
			return true
		}
	}
	return false
}

func (a *Attribute) maxLength() int {
	if a.MaxLength > 0 {
		return a.MaxLength
	}
	return 255
}

// Object is the schema of one object: people, companies or a custom object.
type Object struct {
	Slug         string
	SingularName string
	PluralName   string
	IsStandard   bool
	IsActive     bool
	Attributes   []Attribute
	CreatedAt    time.Time
	UpdatedAt    time.Time

	// requireAnyOf lists attributes of which a record needs at least one
	// (people: first_name or last_name).
	requireAnyOf []string
	// matchUniqueOnly limits assert to unique attributes (companies:
	// domain, as Zeeg allows, and any unique custom attribute).
	matchUniqueOnly bool
}

// Attribute returns the attribute with the given key.
func (o *Object) Attribute(key string) (*Attribute, bool) {
	for i := range o.Attributes {
		if o.Attributes[i].Key == key {
			return &o.Attributes[i], true
		}
	}
	return nil, false
}

// resolveAttribute finds an attribute by its key or by the field name of
// its standard JSON form (phone_number or phoneNumber). "email" names the
// emails attribute, as the Zeeg contract allows.
func (o *Object) resolveAttribute(name string) (*Attribute, bool) {
	if a, ok := o.Attribute(name); ok {
		return a, true
	}
	if name == "email" {
		return o.Attribute("emails")
	}
	for i := range o.Attributes {
		if a := &o.Attributes[i]; a.Field != "" && a.Field == name {
			return a, true
		}
	}
	return nil, false
}

// attributeKeys lists the keys of the attributes that pass keep.
func (o *Object) attributeKeys(keep func(*Attribute) bool) string {
	var keys []string
	for i := range o.Attributes {
		if keep(&o.Attributes[i]) {
			keys = append(keys, o.Attributes[i].Key)
		}
	}
	sort.Strings(keys)
	return strings.Join(keys, ", ")
}

// Standard object slugs.
const (
	People    = "people"
	Companies = "companies"
)

// standardObjects are built once; standardObject hands out copies.
var standardObjects = map[string]Object{People: mustStandard(People), Companies: mustStandard(Companies)}

// standardObject returns the code-defined part of a standard object: its
// names and standard attributes. Custom attributes and timestamps come from
// the store. The copy's attributes are the caller's to change.
func standardObject(slug string) (Object, bool) {
	o, ok := standardObjects[slug]
	o.Attributes = slices.Clone(o.Attributes)
	return o, ok
}

func mustStandard(slug string) Object {
	switch slug {
	case People:
		return Object{
			Slug: People, SingularName: "Person", PluralName: "People",
			IsStandard: true, IsActive: true,
			Attributes: append([]Attribute{
				text("first_name", "First Name", "firstName"),
				text("last_name", "Last Name", "lastName"),
				text("salutation", "Salutation", "salutation"),
				{Key: "emails", Label: "Emails", Type: TypeText, IsStandard: true, IsUnique: true, IsMultiValue: true, Validation: []string{ValidateEmail}, Field: "emails"},
				text("job_title", "Job Title", "jobTitle"),
				{Key: "description", Label: "Description", Type: TypeText, IsStandard: true, MaxLength: 10000, Field: "description"},
				{Key: "phone_number", Label: "Phone Number", Type: TypePhoneNumber, IsStandard: true, Field: "phoneNumber", keyed: true},
				text("primary_location", "Primary Location", "primaryLocation"),
				urlAttr("avatar_url", "Avatar URL", "avatarUrl"),
				{Key: "company", Label: "Company", Type: TypeRelation, IsStandard: true, RelationType: ManyToOne,
					RelatedObjectSlug: Companies, RelatedObjectLabel: "People", Field: "companyId"},
			}, socials()...),
			requireAnyOf: []string{"first_name", "last_name"},
		}
	case Companies:
		return Object{
			Slug: Companies, SingularName: "Company", PluralName: "Companies",
			IsStandard: true, IsActive: true,
			Attributes: append([]Attribute{
				{Key: "name", Label: "Name", Type: TypeText, IsStandard: true, IsRequired: true, Field: "name"},
				{Key: "domain", Label: "Domain", Type: TypeText, IsStandard: true, IsUnique: true, Validation: []string{ValidateDomain}, Field: "domain"},
				{Key: "description", Label: "Description", Type: TypeText, IsStandard: true, MaxLength: 10000, Field: "description"},
				text("primary_location", "Primary Location", "primaryLocation"),
				urlAttr("logo_url", "Logo URL", "logoUrl"),
			}, socials()...),
			matchUniqueOnly: true,
		}
	}
	panic("kith: no standard object " + slug)
}

// socials are the social profile attributes of people and companies,
// grouped under socials in their JSON.
func socials() []Attribute {
	return []Attribute{
		urlAttr("linkedin", "LinkedIn", "socials.linkedin"),
		urlAttr("twitter", "Twitter", "socials.twitter"),
		urlAttr("facebook", "Facebook", "socials.facebook"),
		urlAttr("instagram", "Instagram", "socials.instagram"),
	}
}

// systemAttributes are the read-only attributes every custom object has.
func systemAttributes() []Attribute {
	return []Attribute{
		{Key: "id", Label: "ID", Type: TypeText, IsRequired: true, IsStandard: true},
		{Key: "created_at", Label: "Created At", Type: TypeDatetime, IsRequired: true, IsStandard: true},
		{Key: "updated_at", Label: "Updated At", Type: TypeDatetime, IsStandard: true},
	}
}

func text(key, label, field string) Attribute {
	return Attribute{Key: key, Label: label, Type: TypeText, IsStandard: true, Field: field}
}

func urlAttr(key, label, field string) Attribute {
	return Attribute{Key: key, Label: label, Type: TypeText, IsStandard: true, Validation: []string{ValidateURL}, Field: field}
}

// StandardFields lists the standard attributes of a standard object with
// their JSON field paths, for the views that map camelCase bodies. The
// slice is shared: callers must not change it.
func StandardFields(slug string) []Attribute {
	return standardObjects[slug].Attributes
}
