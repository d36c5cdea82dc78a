package account

import (
	"slices"
	"testing"
)

// The methods keep their order, drop repeats, gain "mfa" only when they
// span two factors, and name the acr a platform can rely on.
func TestMethodsAndACR(t *testing.T) {
	for _, tc := range []struct {
		in   []Method
		want string
		acr  string
	}{
		{[]Method{MethodPassword}, "pwd", ACRPassword},
		{[]Method{MethodPassword, MethodOTP}, "pwd otp mfa", ACRMultiFactor},
		{[]Method{MethodPassword, MethodPassword, MethodMultiFactor}, "pwd", ACRPassword},
		{[]Method{MethodOTP}, "otp", ACRPassword},
		{[]Method{MethodHardwareKey, MethodUserVerified}, "hwk user", ACRPhishingResistant},
		{[]Method{MethodSoftwareKey}, "swk", ACRPhishingResistant},
	} {
		got := methodsOf(tc.in...)
		if got.String() != tc.want || got.ACR() != tc.acr {
			t.Errorf("methodsOf(%v) = %q %s, want %q %s", tc.in, got, got.ACR(), tc.want, tc.acr)
		}
		if back := parseMethods(got.String()); !slices.Equal(back, got) {
			t.Errorf("parseMethods(%q) = %v", got, back)
		}
	}
	if got := parseMethods(""); got.String() != "pwd" {
		t.Errorf("a session stored before methods were recorded reads as %q, want pwd", got)
	}
}
