package httpapi

import (
	"net/http"

	"github.com/kith-crm/kith"
)

func (s *Server) getObject(w http.ResponseWriter, r *http.Request) error {
	obj, err := s.svc.Object(r.Context(), caller(r.Context()).WorkspaceID, r.PathValue("slug"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, success(http.StatusOK, "object", renderObject(obj)))
	return nil
}

func (s *Server) listObjects(w http.ResponseWriter, r *http.Request) error {
	objs, err := s.svc.Objects(r.Context(), caller(r.Context()).WorkspaceID)
	if err != nil {
		return err
	}
	collection := make([]ordered, len(objs))
	for i, o := range objs {
		collection[i] = renderObject(o)
	}
	req := kith.ListRequest{Count: max(len(objs), 1), Page: 1}
	writeJSON(w, http.StatusOK, ordered{
		{"success", true}, {"status", http.StatusOK},
		{"collection", collection},
		{"pagination", pagination(r.URL, req, len(objs), len(objs), "")},
	})
	return nil
}

func (s *Server) createObject(w http.ResponseWriter, r *http.Request) error {
	var spec kith.NewObject
	if err := decodeJSON(r, &spec); err != nil {
		return err
	}
	obj, err := s.svc.CreateObject(r.Context(), s.writeContext(w, r), spec)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, success(http.StatusCreated, "object", renderObject(obj)))
	return nil
}

func (s *Server) patchObject(w http.ResponseWriter, r *http.Request) error {
	var patch kith.ObjectPatch
	if err := decodeJSON(r, &patch); err != nil {
		return err
	}
	obj, err := s.svc.UpdateObject(r.Context(), s.writeContext(w, r), r.PathValue("slug"), patch)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, success(http.StatusOK, "object", renderObject(obj)))
	return nil
}

func (s *Server) deleteObject(w http.ResponseWriter, r *http.Request) error {
	if err := s.svc.DeleteObject(r.Context(), s.writeContext(w, r), r.PathValue("slug")); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ordered{{"success", true}, {"status", http.StatusOK}, {"message", "Object deleted."}})
	return nil
}

func (s *Server) patchAttribute(w http.ResponseWriter, r *http.Request) error {
	var patch kith.AttributePatch
	if err := decodeJSON(r, &patch); err != nil {
		return err
	}
	a, err := s.svc.UpdateAttribute(r.Context(), s.writeContext(w, r), r.PathValue("slug"), r.PathValue("key"), patch)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, success(http.StatusOK, "attribute", renderAttribute(a)))
	return nil
}

func (s *Server) deleteAttribute(w http.ResponseWriter, r *http.Request) error {
	if err := s.svc.DeleteAttribute(r.Context(), s.writeContext(w, r), r.PathValue("slug"), r.PathValue("key")); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ordered{{"success", true}, {"status", http.StatusOK}, {"message", "Attribute deleted."}})
	return nil
}

func (s *Server) addAttribute(w http.ResponseWriter, r *http.Request) error {
	var spec kith.NewAttribute
	if err := decodeJSON(r, &spec); err != nil {
		return err
	}
	a, err := s.svc.AddAttribute(r.Context(), s.writeContext(w, r), r.PathValue("slug"), spec)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, success(http.StatusCreated, "attribute", renderAttribute(a)))
	return nil
}

func renderObject(o *kith.Object) ordered {
	attrs := make([]ordered, len(o.Attributes))
	for i := range o.Attributes {
		attrs[i] = renderAttribute(&o.Attributes[i])
	}
	return ordered{
		{"slug", o.Slug},
		{"singularName", o.SingularName},
		{"pluralName", o.PluralName},
		{"isStandard", o.IsStandard},
		{"isActive", o.IsActive},
		{"attributes", attrs},
		{"createdAt", kith.FormatTime(o.CreatedAt)},
		{"updatedAt", kith.FormatTime(o.UpdatedAt)},
	}
}

// renderAttribute renders a definition with the fields of its type only.
func renderAttribute(a *kith.Attribute) ordered {
	out := ordered{
		{"key", a.Key},
		{"label", a.Label},
		{"type", a.Type},
		{"isRequired", a.IsRequired},
		{"isStandard", a.IsStandard},
		{"isUnique", a.IsUnique},
		{"isArchived", a.IsArchived},
	}
	if a.IsMultiValue {
		out = append(out, field{"isMultiValue", true})
	}
	switch a.Type {
	case kith.TypeText:
		out = append(out, field{"validation", nonNil(a.Validation)})
	case kith.TypeSelect, kith.TypeMultiselect, kith.TypeStatus:
		out = append(out, field{"options", nonNil(a.Options)})
	case kith.TypeRelation:
		out = append(out, field{"relationType", a.RelationType}, field{"relatedObjectSlug", a.RelatedObjectSlug},
			field{"relatedObjectLabel", a.RelatedObjectLabel})
	case kith.TypeCurrency:
		out = append(out, field{"currency", a.Currency}, field{"currencyDisplay", a.CurrencyDisplay},
			field{"currencyDecimal", a.CurrencyDecimal}, field{"currencyGrouping", a.CurrencyGrouping})
	}
	return append(out, field{"createdAt", kith.FormatTime(a.CreatedAt)}, field{"updatedAt", kith.FormatTime(a.UpdatedAt)})
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
