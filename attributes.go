package kith

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// NewAttribute is the body of a request that adds a custom attribute. The
// key is derived from the label.
type NewAttribute struct {
	Label              *string        `json:"label"`
	Type               *AttributeType `json:"type"`
	IsRequired         bool           `json:"isRequired"`
	IsUnique           bool           `json:"isUnique"`
	IsArchived         bool           `json:"isArchived"`
	Options            []NewOption    `json:"options"`
	Validation         []string       `json:"validation"`
	RelationType       string         `json:"relationType"`
	RelatedObjectSlug  string         `json:"relatedObjectSlug"`
	RelatedObjectLabel string         `json:"relatedObjectLabel"`
	Currency           string         `json:"currency"`
	CurrencyDisplay    string         `json:"currencyDisplay"`
	CurrencyDecimal    bool           `json:"currencyDecimal"`
	CurrencyGrouping   bool           `json:"currencyGrouping"`
}

// NewOption is an option in a request; an option without id gets one.
type NewOption struct {
	ID    json.RawMessage `json:"id"`
	Value string          `json:"value"`
	Color string          `json:"color"`
}

// uniqueTypes are the types whose attributes may be unique.
var uniqueTypes = map[AttributeType]bool{TypeText: true, TypeNumber: true, TypePhoneNumber: true}

// AddAttribute adds a custom attribute to an object.
func (s *Service) AddAttribute(ctx context.Context, wc WriteContext, slug string, spec NewAttribute) (*Attribute, error) {
	a, err := spec.attribute()
	if err != nil {
		return nil, err
	}
	a.CreatedAt, a.UpdatedAt = wc.Now, wc.Now
	err = s.write(ctx, wc, func(tx Tx) error {
		obj, err := s.object(ctx, tx, slug)
		if err != nil {
			return err
		}
		if a.Type == TypeRelation {
			if _, err := tx.ObjectRow(ctx, a.RelatedObjectSlug); ErrorCode(err) == ENotFound {
				p := Problems{}
				p.Add("relatedObjectSlug", FieldNotFound, "there is no object %q", a.RelatedObjectSlug)
				return p.Err()
			} else if err != nil {
				return err
			}
		}
		a.Key = uniqueKey(obj, attributeKey(*spec.Label))
		if err := s.schemaChanged(ctx, tx); err != nil {
			return err
		}
		return tx.InsertAttribute(ctx, slug, a)
	})
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// attribute validates the request and returns the attribute it defines,
// without its key.
func (spec NewAttribute) attribute() (Attribute, error) {
	p := Problems{}
	var a Attribute
	switch {
	case spec.Label == nil || strings.TrimSpace(*spec.Label) == "":
		p.Add("label", FieldRequired, "label is required")
	case utf8.RuneCountInString(*spec.Label) > 255:
		p.Add("label", FieldTooLong, "must be at most 255 characters")
	case attributeKey(*spec.Label) == "":
		p.Add("label", FieldInvalidFormat, "must contain a letter or a digit, to derive the key from")
	default:
		a.Label = strings.TrimSpace(*spec.Label)
	}
	if spec.Type == nil {
		p.Add("type", FieldRequired, "type is required")
	} else if _, ok := valueTypes[*spec.Type]; !ok {
		p.Add("type", FieldInvalidOption, "%q is not a supported type; supported: %s", *spec.Type, supportedTypes())
	} else {
		a.Type = *spec.Type
	}
	a.IsRequired, a.IsArchived = spec.IsRequired, spec.IsArchived
	if spec.IsUnique && a.Type != "" && !uniqueTypes[a.Type] {
		p.Add("isUnique", FieldInvalidOption, "only text, number and phone_number attributes can be unique")
	}
	a.IsUnique = spec.IsUnique
	for _, v := range spec.Validation {
		if (v != ValidateEmail && v != ValidateURL) || a.Type != TypeText {
			p.Add("validation", FieldInvalidOption, "validation %q is not available; text attributes take \"email\" and \"url\"", v)
		}
	}
	a.Validation = spec.Validation
	switch a.Type {
	case TypeSelect, TypeMultiselect, TypeStatus:
		a.Options = prepareOptions(nil, spec.Options, p)
	case TypeRelation:
		a.RelationType, a.RelatedObjectSlug, a.RelatedObjectLabel = spec.RelationType, spec.RelatedObjectSlug, spec.RelatedObjectLabel
		switch a.RelationType {
		case ManyToOne, OneToOne, OneToMany, ManyToMany:
		case "":
			p.Add("relationType", FieldRequired, "relationType is required: many_to_one, one_to_one, one_to_many or many_to_many")
		default:
			p.Add("relationType", FieldInvalidOption, "must be many_to_one, one_to_one, one_to_many or many_to_many")
		}
		if a.RelatedObjectSlug == "" {
			p.Add("relatedObjectSlug", FieldRequired, "relatedObjectSlug is required")
		}
	case TypeCurrency:
		a.Currency, a.CurrencyDisplay = spec.Currency, spec.CurrencyDisplay
		a.CurrencyDecimal, a.CurrencyGrouping = spec.CurrencyDecimal, spec.CurrencyGrouping
		switch {
		case a.Currency == "":
			p.Add("currency", FieldRequired, "currency is required: an ISO 4217 code such as EUR")
		case len(a.Currency) != 3 || strings.ToUpper(a.Currency) != a.Currency:
			p.Add("currency", FieldInvalidFormat, "must be an ISO 4217 code such as EUR")
		}
		switch a.CurrencyDisplay {
		case "":
			a.CurrencyDisplay = "code"
		case "code", "name", "symbol":
		default:
			p.Add("currencyDisplay", FieldInvalidOption, "must be code, name or symbol")
		}
	}
	return a, p.Err()
}

// prepareOptions checks an option list. On a patch (existing != nil) an
// option with an id must be one of existing's and keeps it; new options
// are numbered after the highest numeric id.
func prepareOptions(existing []Option, in []NewOption, p Problems) []Option {
	next := 1
	for _, o := range existing {
		if n, err := strconv.Atoi(o.ID); err == nil && n >= next {
			next = n + 1
		}
	}
	out := make([]Option, 0, len(in))
	seenValue := map[string]bool{}
	for i, o := range in {
		path := "options[" + strconv.Itoa(i) + "]"
		value := strings.TrimSpace(o.Value)
		switch {
		case value == "":
			p.Add(path+".value", FieldRequired, "an option needs a value")
			continue
		case utf8.RuneCountInString(value) > 255:
			p.Add(path+".value", FieldTooLong, "must be at most 255 characters")
			continue
		case seenValue[strings.ToLower(value)]:
			p.Add(path+".value", FieldNotUnique, "option %q is listed twice", value)
			continue
		}
		seenValue[strings.ToLower(value)] = true
		opt := Option{Value: value, Color: o.Color}
		if len(o.ID) > 0 && !isNull(o.ID) {
			var id string
			if err := json.Unmarshal(o.ID, &id); err != nil {
				id = strings.TrimSpace(string(o.ID)) // numeric ids are accepted as their digits
			}
			switch {
			case slices.ContainsFunc(out, func(x Option) bool { return x.ID == id }):
				p.Add(path+".id", FieldNotUnique, "option id %q is listed twice", id)
				continue
			case existing != nil && !slices.ContainsFunc(existing, func(x Option) bool { return x.ID == id }):
				p.Add(path+".id", FieldNotFound, "there is no option with id %q; leave id out to add an option", id)
				continue
			}
			opt.ID = id
		}
		out = append(out, opt)
	}
	for i := range out {
		if out[i].ID == "" {
			for slices.ContainsFunc(out, func(x Option) bool { return x.ID == strconv.Itoa(next) }) {
				next++
			}
			out[i].ID = strconv.Itoa(next)
			next++
		}
	}
	return out
}

// attributeKey derives a key from a label: snake_case of its letters and
// digits, common accented letters folded (Größe → groesse), at most 60
// characters, never starting with a digit.
func attributeKey(label string) string {
	var b strings.Builder
	underscore := false
	for _, r := range strings.ToLower(label) {
		if folded, ok := foldLetters[r]; ok {
			b.WriteString(folded)
			underscore = false
			continue
		}
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			underscore = false
		} else if b.Len() > 0 && !underscore {
			b.WriteByte('_')
			underscore = true
		}
	}
	key := strings.Trim(b.String(), "_")
	if key != "" && key[0] >= '0' && key[0] <= '9' {
		key = "n_" + key
	}
	if len(key) > 60 {
		key = strings.TrimRight(key[:60], "_")
	}
	return key
}

var foldLetters = map[rune]string{
	'ä': "ae", 'ö': "oe", 'ü': "ue", 'ß': "ss", 'à': "a", 'á': "a", 'â': "a", 'ã': "a", 'å': "a",
	'æ': "ae", 'ç': "c", 'è': "e", 'é': "e", 'ê': "e", 'ë': "e", 'ì': "i", 'í': "i", 'î': "i",
	'ï': "i", 'ñ': "n", 'ò': "o", 'ó': "o", 'ô': "o", 'õ': "o", 'ø': "o", 'ù': "u", 'ú': "u",
	'û': "u", 'ý': "y", 'ÿ': "y", 'ł': "l", 'š': "s", 'ž': "z", 'č': "c", 'ř': "r",
}

// reservedKeys cannot be custom attribute keys: they are system attributes
// or fields of every record.
var reservedKeys = map[string]bool{"id": true, "created_at": true, "updated_at": true, "object_slug": true}

// uniqueKey appends _2, _3, … to key until no attribute of obj has it.
func uniqueKey(obj *Object, key string) string {
	taken := func(k string) bool {
		_, ok := obj.Attribute(k)
		return ok || reservedKeys[k]
	}
	candidate := key
	for n := 2; taken(candidate); n++ {
		candidate = key + "_" + strconv.Itoa(n)
	}
	return candidate
}

func supportedTypes() string {
	var names []string
	for _, t := range []AttributeType{TypeText, TypeNumber, TypePhoneNumber, TypeDate, TypeDatetime, TypeCheckbox,
		TypeSelect, TypeMultiselect, TypeRating, TypeRelation, TypeStatus, TypeUser, TypeCurrency} {
		if _, ok := valueTypes[t]; ok {
			names = append(names, string(t))
		}
	}
	return strings.Join(names, ", ")
}

// attributeConfig is the type-specific part of an attribute definition,
// stored by the stores as one JSON column.
type attributeConfig struct {
	Options            []Option `json:"options,omitempty"`
	Validation         []string `json:"validation,omitempty"`
	RelationType       string   `json:"relationType,omitempty"`
	RelatedObjectSlug  string   `json:"relatedObjectSlug,omitempty"`
	RelatedObjectLabel string   `json:"relatedObjectLabel,omitempty"`
	Currency           string   `json:"currency,omitempty"`
	CurrencyDisplay    string   `json:"currencyDisplay,omitempty"`
	CurrencyDecimal    bool     `json:"currencyDecimal,omitempty"`
	CurrencyGrouping   bool     `json:"currencyGrouping,omitempty"`
}

// EncodeConfig returns the stored form of a's type-specific settings.
func (a *Attribute) EncodeConfig() []byte {
	b, _ := json.Marshal(attributeConfig{
		Options: a.Options, Validation: a.Validation,
		RelationType: a.RelationType, RelatedObjectSlug: a.RelatedObjectSlug, RelatedObjectLabel: a.RelatedObjectLabel,
		Currency: a.Currency, CurrencyDisplay: a.CurrencyDisplay, CurrencyDecimal: a.CurrencyDecimal, CurrencyGrouping: a.CurrencyGrouping,
	})
	return b
}

// DecodeConfig sets a's type-specific settings from their stored form.
func (a *Attribute) DecodeConfig(b []byte) error {
	var c attributeConfig
	if err := json.Unmarshal(b, &c); err != nil {
		return err
	}
	a.Options, a.Validation = c.Options, c.Validation
	a.RelationType, a.RelatedObjectSlug, a.RelatedObjectLabel = c.RelationType, c.RelatedObjectSlug, c.RelatedObjectLabel
	a.Currency, a.CurrencyDisplay, a.CurrencyDecimal, a.CurrencyGrouping = c.Currency, c.CurrencyDisplay, c.CurrencyDecimal, c.CurrencyGrouping
	return nil
}

// AttributePatch is the body of a request that changes an attribute.
// Fields that can never change (key, type, relatedObjectSlug,
// relationType, currency, validation) are accepted when they repeat the
// current value, so that a client can send back what it read.
type AttributePatch struct {
	Label              *string      `json:"label"`
	IsRequired         *bool        `json:"isRequired"`
	IsArchived         *bool        `json:"isArchived"`
	IsUnique           *bool        `json:"isUnique"`
	Options            *[]NewOption `json:"options"`
	RelatedObjectLabel *string      `json:"relatedObjectLabel"`
	CurrencyDisplay    *string      `json:"currencyDisplay"`
	CurrencyDecimal    *bool        `json:"currencyDecimal"`
	CurrencyGrouping   *bool        `json:"currencyGrouping"`

	Key               *string        `json:"key"`
	Type              *AttributeType `json:"type"`
	RelatedObjectSlug *string        `json:"relatedObjectSlug"`
	RelationType      *string        `json:"relationType"`
	Currency          *string        `json:"currency"`
	Validation        *[]string      `json:"validation"`
	IsStandard        *bool          `json:"isStandard"`
}

// UpdateAttribute changes a custom attribute. Options are replaced whole:
// listed ids keep their option, options without id are added, and options
// left out are deleted and cleared from every record that held them.
// Turning isUnique on is EConflict while two records share a value.
// Standard attributes are EBadRequest.
func (s *Service) UpdateAttribute(ctx context.Context, wc WriteContext, slug, key string, patch AttributePatch) (*Attribute, error) {
	var out *Attribute
	err := s.write(ctx, wc, func(tx Tx) error {
		obj, a, err := s.customAttribute(ctx, tx, slug, key)
		if err != nil {
			return err
		}
		next, err := patch.apply(*a)
		if err != nil {
			return err
		}
		if sameDefinition(a, &next) {
			out = a
			return nil
		}
		next.UpdatedAt = wc.Now
		if next.IsUnique && !a.IsUnique {
			if err := s.checkUnique(ctx, tx, obj, &next); err != nil {
				return err
			}
		}
		nextObj := *obj
		nextObj.Attributes = slices.Clone(obj.Attributes)
		for i := range nextObj.Attributes {
			if nextObj.Attributes[i].Key == key {
				nextObj.Attributes[i] = next
			}
		}
		err = s.reindex(ctx, tx, wc, obj, &nextObj, func(values map[string]any) map[string]any {
			return dropOptions(values, &next)
		})
		if err != nil {
			return err
		}
		out = &next
		if err := s.schemaChanged(ctx, tx); err != nil {
			return err
		}
		return tx.UpdateAttribute(ctx, slug, next)
	})
	return out, err
}

// DeleteAttribute deletes a custom attribute and its values.
func (s *Service) DeleteAttribute(ctx context.Context, wc WriteContext, slug, key string) error {
	return s.write(ctx, wc, func(tx Tx) error {
		obj, _, err := s.customAttribute(ctx, tx, slug, key)
		if err != nil {
			return err
		}
		return s.deleteAttribute(ctx, tx, wc, obj, key)
	})
}

// customAttribute loads an attribute that may be changed.
func (s *Service) customAttribute(ctx context.Context, tx Tx, slug, key string) (*Object, *Attribute, error) {
	obj, err := s.object(ctx, tx, slug)
	if err != nil {
		return nil, nil, err
	}
	a, ok := obj.Attribute(key)
	switch {
	case !ok:
		return nil, nil, Errorf(ENotFound, "%s has no attribute %q.", slug, key)
	case a.IsStandard:
		return nil, nil, Errorf(EBadRequest, "%s is a standard attribute of %s; standard attributes cannot be changed.", key, slug)
	}
	return obj, a, nil
}

// apply returns a with the patch made, or EInvalid.
func (patch AttributePatch) apply(a Attribute) (Attribute, error) {
	p := Problems{}
	readOnly := func(path string, sent, current any) {
		if sent != nil && canonicalJSON(sent) != canonicalJSON(current) {
			p.Add(path, FieldReadOnly, "%s cannot change after the attribute is created", path)
		}
	}
	if patch.Key != nil {
		readOnly("key", *patch.Key, a.Key)
	}
	if patch.Type != nil {
		readOnly("type", *patch.Type, a.Type)
	}
	if patch.RelatedObjectSlug != nil {
		readOnly("relatedObjectSlug", *patch.RelatedObjectSlug, a.RelatedObjectSlug)
	}
	if patch.RelationType != nil {
		readOnly("relationType", *patch.RelationType, a.RelationType)
	}
	if patch.Currency != nil {
		readOnly("currency", *patch.Currency, a.Currency)
	}
	if patch.Validation != nil {
		readOnly("validation", *patch.Validation, nonNilStrings(a.Validation))
	}
	if patch.IsStandard != nil {
		readOnly("isStandard", *patch.IsStandard, a.IsStandard)
	}
	onlyFor := func(path string, sent bool, types ...AttributeType) bool {
		if sent && !slices.Contains(types, a.Type) {
			p.Add(path, FieldUnknownKey, "%s does not apply to %s attributes", path, a.Type)
			return false
		}
		return sent
	}
	if patch.Label != nil {
		if label := objectName(p, "label", patch.Label, true); label != "" {
			a.Label = label
		}
	}
	if patch.IsRequired != nil {
		a.IsRequired = *patch.IsRequired
	}
	if patch.IsArchived != nil {
		a.IsArchived = *patch.IsArchived
	}
	if patch.IsUnique != nil {
		if *patch.IsUnique && !uniqueTypes[a.Type] {
			p.Add("isUnique", FieldInvalidOption, "only text, number and phone_number attributes can be unique")
		}
		a.IsUnique = *patch.IsUnique
	}
	if onlyFor("options", patch.Options != nil, TypeSelect, TypeMultiselect, TypeStatus) {
		a.Options = prepareOptions(a.Options, *patch.Options, p)
	}
	if onlyFor("relatedObjectLabel", patch.RelatedObjectLabel != nil, TypeRelation) {
		a.RelatedObjectLabel = *patch.RelatedObjectLabel
	}
	if onlyFor("currencyDisplay", patch.CurrencyDisplay != nil, TypeCurrency) {
		switch *patch.CurrencyDisplay {
		case "code", "name", "symbol":
			a.CurrencyDisplay = *patch.CurrencyDisplay
		default:
			p.Add("currencyDisplay", FieldInvalidOption, "must be code, name or symbol")
		}
	}
	if onlyFor("currencyDecimal", patch.CurrencyDecimal != nil, TypeCurrency) {
		a.CurrencyDecimal = *patch.CurrencyDecimal
	}
	if onlyFor("currencyGrouping", patch.CurrencyGrouping != nil, TypeCurrency) {
		a.CurrencyGrouping = *patch.CurrencyGrouping
	}
	return a, p.Err()
}

func sameDefinition(a, b *Attribute) bool {
	return a.Label == b.Label && a.IsRequired == b.IsRequired && a.IsArchived == b.IsArchived &&
		a.IsUnique == b.IsUnique && string(a.EncodeConfig()) == string(b.EncodeConfig())
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// checkUnique is EConflict when two records share a value of a, which is
// about to become unique.
func (s *Service) checkUnique(ctx context.Context, tx Tx, obj *Object, a *Attribute) error {
	holder := map[string]string{}
	var clash []string
	err := tx.ScanRecords(ctx, obj.Slug, func(r Record) bool {
		v, ok := r.Values[a.Key]
		if !ok {
			return true
		}
		for _, m := range s.norm.matchValues(a, v) {
			if first, taken := holder[m]; taken && m != "" {
				clash = []string{first, r.ID}
				return false
			}
			holder[m] = r.ID
		}
		return true
	})
	if err != nil {
		return err
	}
	if clash != nil {
		return &Error{Code: EConflict, ConflictingRecordIDs: clash,
			Message: "Two records share a value of " + a.Key + ", so it cannot become unique; change one of them first."}
	}
	return nil
}

// dropOptions clears option ids that attribute a no longer has from a
// record's values.
func dropOptions(values map[string]any, a *Attribute) map[string]any {
	switch a.Type {
	case TypeSelect, TypeMultiselect, TypeStatus:
	default:
		return values
	}
	v, ok := values[a.Key]
	if !ok {
		return values
	}
	has := func(id any) bool { return slices.ContainsFunc(a.Options, func(o Option) bool { return o.ID == id }) }
	var next any // nil clears
	switch v := v.(type) {
	case []any:
		kept := slices.DeleteFunc(slices.Clone(v), func(id any) bool { return !has(id) })
		if len(kept) == len(v) {
			return values
		}
		if len(kept) > 0 {
			next = kept
		}
	default:
		if has(v) {
			return values
		}
	}
	values = maps.Clone(values)
	if next == nil {
		delete(values, a.Key)
	} else {
		values[a.Key] = next
	}
	return values
}
