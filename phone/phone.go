// Package phone normalizes phone numbers to E.164 with libphonenumber's
// rules, for matching.
package phone

import (
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// E164 returns a normalizer for kith.Normalizer.PhoneE164. Numbers without
// a leading + are read as numbers of region (an ISO 3166 code such as DE);
// with region "" only international numbers parse.
func E164(region string) func(string) (string, bool) {
	region = strings.ToUpper(region)
	return func(s string) (string, bool) {
		s = strings.TrimSpace(s)
		if s == "" || (region == "" && !strings.HasPrefix(s, "+")) {
			return "", false
		}
		n, err := phonenumbers.Parse(s, region)
		if err != nil || !phonenumbers.IsPossibleNumber(n) {
			return "", false
		}
		return phonenumbers.Format(n, phonenumbers.E164), true
	}
}
