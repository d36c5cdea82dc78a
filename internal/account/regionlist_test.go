package account_test

import (
	"testing"
)

// TestRegionOfAnotherCountrysList: a form that says its region list was
// drawn for another country than the one posted (no script redrew it)
// never keeps a region from that list. When the new country has regions
// the form must be shown again with them; when it has none the region is
// simply dropped. A form whose list matches, or that does not say, is
// judged as before.
func TestRegionOfAnotherCountrysList(t *testing.T) {
	base := map[string]string{"first_name": "Ada", "last_name": "Lovelace", "company": "Engines",
		"email": "ada@example.com", "accept_terms": "on"}
	tests := []struct {
		name, country, region, listed string
		wantErr                       string // the region's error ID, or none
		wantRegion                    string
	}{
		{"changed to a country with regions, a state picked", "FR", "US-CA", "US", "error.region.review", ""},
		{"changed to a country with regions, none picked", "FR", "", "US", "error.region.review", ""},
		{"changed to a country without regions", "VA", "US-CA", "US", "", ""},
		{"list of the posted country", "FR", "FR-IDF", "fr", "", "FR-IDF"},
		{"list not named", "FR", "", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := map[string]string{"country": tt.country, "region": tt.region}
			for k, x := range base {
				v[k] = x
			}
			r := reg(v)
			r.SetRegionList(tt.listed)
			r.Normalize()
			errs := r.Validate()
			if got := errs["region"].ID; got != tt.wantErr {
				t.Errorf("region error %q, want %q (all: %v)", got, tt.wantErr, errs)
			}
			if len(errs) > 0 && tt.wantErr == "" {
				t.Errorf("errors %v, want none", errs)
			}
			if got := r.Get("region"); got != tt.wantRegion {
				t.Errorf("region kept %q, want %q", got, tt.wantRegion)
			}
		})
	}
}
