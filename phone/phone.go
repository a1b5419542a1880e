// Package phone normalizes phone numbers to E.164 with libphonenumber's
// rules, for matching.
package phone

import (
	"strings"
	"sync"

	"github.com/nyaruka/phonenumbers"
)

// E164 returns a normalizer for kith.Normalizer.PhoneE164. Numbers without
// a leading + are read as numbers of region (an ISO 3166 code such as DE);
// with region "" only international numbers parse.
//
// Parsing costs tens of microseconds, and every write of a person parses
// its number again, so results are remembered (up to memoSize numbers).
func E164(region string) func(string) (string, bool) {
	region = strings.ToUpper(region)
	var mu sync.Mutex
	memo := map[string]string{} // "" for a number that does not parse
	return func(s string) (string, bool) {
		mu.Lock()
		e164, ok := memo[s]
		mu.Unlock()
		if !ok {
			e164 = parse(s, region)
			mu.Lock()
			if len(memo) >= memoSize {
				clear(memo)
			}
			memo[s] = e164
			mu.Unlock()
		}
		return e164, e164 != ""
	}
}

const memoSize = 100_000

func parse(s, region string) string {
	s = strings.TrimSpace(s)
	if s == "" || (region == "" && !strings.HasPrefix(s, "+")) {
		return ""
	}
	n, err := phonenumbers.Parse(s, region)
	if err != nil || !phonenumbers.IsPossibleNumber(n) {
		return ""
	}
	return phonenumbers.Format(n, phonenumbers.E164)
}
