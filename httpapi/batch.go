package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/kith-crm/kith"
)

// maxBatchItems bounds one batch.
const maxBatchItems = 1000

// batchResult is one item's outcome: created, updated, unchanged or error.
type batchResult struct {
	Index  int          `json:"index"`
	Status string       `json:"status"`
	ID     *string      `json:"id"`
	Error  *errorDetail `json:"error,omitempty"`
}

// assertBatch asserts up to maxBatchItems records in one call:
// {"records": [...], "mode": "partial"|"atomic"}. It answers 200 with one
// result per item in input order; a failed atomic batch is 422 with the
// failing items' results and nothing applied.
func (s *Server) assertBatch(slug string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		slug := objectSlug(r, slug)
		matching, err := matchingAttribute(r)
		if err != nil {
			return err
		}
		var body struct {
			Records []json.RawMessage `json:"records"`
			Mode    string            `json:"mode"`
		}
		if err := decodeJSON(r, &body); err != nil {
			return err
		}
		p := kith.Problems{}
		switch {
		case body.Records == nil:
			p.Add("records", kith.FieldRequired, "records is required: an array of up to %d records", maxBatchItems)
		case len(body.Records) > maxBatchItems:
			p.Add("records", kith.FieldTooLong, "a batch takes at most %d records, got %d; split it", maxBatchItems, len(body.Records))
		}
		switch body.Mode {
		case "", "partial", "atomic":
		default:
			p.Add("mode", kith.FieldInvalidOption, `mode must be "partial" (the default) or "atomic"`)
		}
		if err := p.Err(); err != nil {
			return err
		}
		v := viewOf(slug)
		inputs := make([]kith.Input, len(body.Records))
		for i, raw := range body.Records {
			var item map[string]json.RawMessage
			if err := json.Unmarshal(raw, &item); err != nil || item == nil {
				inputs[i] = kith.Input{Problems: kith.Problems{}}
				inputs[i].Problems.Add(fmt.Sprintf("records[%d]", i), kith.FieldInvalidType, "must be a JSON object")
				continue
			}
			inputs[i] = v.decode(item)
		}
		items, err := s.svc.AssertBatch(r.Context(), s.writeContext(w, r), slug, matching, inputs, body.Mode == "atomic")
		if err != nil {
			return err
		}
		results := make([]batchResult, len(items))
		for i, it := range items {
			results[i] = batchResult{Index: i}
			if it.Err != nil {
				results[i].Status, results[i].Error = "error", detail(it.Err)
				continue
			}
			results[i].Status, results[i].ID = string(it.Result.Outcome), &it.Result.Record.ID
		}
		writeJSON(w, http.StatusOK, ordered{{"success", true}, {"status", http.StatusOK}, {"results", results}})
		return nil
	}
}
