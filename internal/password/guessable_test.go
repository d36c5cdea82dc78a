package password

import (
	"strings"
	"testing"
)

// The people the review's examples are built from.
var (
	hopper = Personal{Email: "grace.hopper@navy.example", FirstName: "Grace", LastName: "Hopper", Company: "Remington Rand"}
	hamilt = Personal{Email: "mhamilton@mit.example", FirstName: "Margaret", LastName: "Hamilton", Company: "Draper Laboratory"}
	ada    = Personal{Email: "ada1815@analytical.example", FirstName: "Ada", LastName: "Lovelace", Company: "Analytical Engines"}
)

// Rule 16 (issue 12, item 9): repetitive and sequential strings, keyboard
// walks, zxcvbn's score 0, famous passphrases, disguised common passwords
// and passwords built from the user's own data in any combination and
// spacing are refused, each with its reason; good passphrases and random
// strings are not.
func TestPolicyWeak(t *testing.T) {
	const (
		ok           = ""
		common       = "error.password.common"
		predictable  = "error.password.predictable"
		personalData = "error.password.personal"
	)
	tests := []struct {
		name string
		pw   string
		who  Personal
		want string
	}{
		// From the review.
		{"one letter repeated", "aaaaaaaaaaaaaaa", Personal{}, predictable},
		{"15 spaces", strings.Repeat(" ", 15), Personal{}, predictable},
		{"alphabet", "abcdefghijklmno", Personal{}, predictable},
		{"keyboard rows", "qwertyuiopasdfg", Personal{}, predictable},
		{"leetspeak password twice", "P@ssw0rdP@ssw0rd", Personal{}, common},
		{"xkcd 936 joined", "correcthorsebatterystaple", Personal{}, common},
		{"own name joined", "gracehopper12345", hopper, personalData},
		{"own name and a year", "Margaret Hamilton 1936", hamilt, personalData},

		// Repeats.
		{"one letter and another", "aaaaaaaaaaaaaaaaaaaaaaaaab", Personal{}, predictable},
		{"two letters alternating", "abababababababab", Personal{}, predictable},
		{"doubled letters in order", "aabbccddeeffgghh", Personal{}, predictable},
		{"four runs", "aaaabbbbccccdddd", Personal{}, predictable},
		{"a short word repeated", "the the the the the", Personal{}, predictable},
		{"emoji repeated", strings.Repeat("😀", 15), Personal{}, predictable},
		{"CJK repeated", strings.Repeat("漢", 15), Personal{}, predictable},
		{"decomposed é repeated", strings.Repeat("e\u0301", 15), Personal{}, predictable},
		{"a long run, a little else", strings.Repeat("x", 30) + "k9#m", Personal{}, predictable},

		// Sequences (some are listed as well, and common comes first).
		{"digits wrapping round", "1234567890123456", Personal{}, common},
		{"digits down", "9876543210987654", Personal{}, predictable},
		{"alphabet backwards", "zyxwvutsrqponmlk", Personal{}, predictable},
		{"digits then letters", "0123456789abcdef", Personal{}, predictable},
		{"odd digits", "1357913579135791", Personal{}, common},
		{"every other letter", "acegikmoqsuwyace", Personal{}, predictable},
		{"interleaved sequences", "a1b2c3d4e5f6g7h8", Personal{}, predictable},
		{"full-width digits", "１２３４５６７８９０１２３４５６", Personal{}, common},
		{"hiragana in order", "あいうえおかきくけこさしすせそ", Personal{}, predictable},

		// Keyboard walks.
		{"zig-zag down the columns", "zaq12wsxcde34rfv", Personal{}, predictable},
		{"columns", "qazwsxedcrfvtgbyhn", Personal{}, predictable},
		{"row and its shift", "1234567890!@#$%^&*()", Personal{}, common},
		{"home row twice", "asdfghjkl;asdfgh", Personal{}, common},
		{"bottom row backwards", "mnbvcxzlkjhgfdsa", Personal{}, predictable},
		{"digit-letter zig-zag", "1q2w3e4r5t6y7u8i", Personal{}, predictable},
		{"German QWERTZ", "qwertzuiopasdfgh", Personal{}, predictable},
		{"French AZERTY", "azertyuiopqsdfghjklm", Personal{}, predictable},
		{"number pad", "7894561230789456", Personal{}, common},
		{"upper case walk", "QWERTYUIOPASDFGH", Personal{}, predictable},

		// Common passwords in disguise.
		{"listed, digits and a symbol", "Password1234567!", Personal{}, common},
		{"listed with spaces", "pass word 1234567", Personal{}, common},
		{"leetspeak", "P@$$w0rd12345678", Personal{}, common},
		{"listed word repeated", "passwordpassword", Personal{}, common},
		{"listed word repeated and a year", "dragondragon2024", Personal{}, common},
		{"listed word many times", strings.Repeat("monkey", 6), Personal{}, common},
		{"listed with accents", "Pässwörd12345678", Personal{}, common},
		{"backwards", "drowssap12345678", Personal{}, common},
		{"famous, capitalised and a digit", "CorrectHorseBatteryStaple1", Personal{}, common},
		{"famous in leetspeak", "c0rr3cth0rs3b4tt3ryst4pl3", Personal{}, common},
		{"famous with hyphens", "correct-horse-battery-staple", Personal{}, common},
		{"famous pangram", "The quick brown fox jumps over the lazy dog", Personal{}, ok},
		{"famous pangram joined", "Thequickbrownfoxjumpsoverthelazydog!", Personal{}, common},

		// The user's own data.
		{"first and last name, a year and a symbol", "adalovelace1815!", ada, personalData},
		{"last name first, spaced", "Lovelace Ada 2024", ada, personalData},
		{"company and a year", "Remington Rand 2024", hopper, personalData},
		{"company joined, leetspeak", "R3m1ngt0nR4nd1950", hopper, personalData},
		{"email local part repeated", "grace.hoppergrace.hopper", hopper, personalData},
		{"email local part and digits", "ada1815ada1815ada1815", ada, personalData},
		{"email domain", "analytical engines 42", ada, personalData},
		{"names with punctuation", "G.R.A.C.E-H.O.P.P.E.R!!", hopper, personalData},
		{"name backwards", "reppohecarg2024!", hopper, personalData},
		{"name and a common password", "gracehopperiloveyou", hopper, personalData},
		{"name and a sequence", "gracehopper1234567890", hopper, personalData},
		{"listed name and a sequence", "Hopper1234567890", hopper, common},
		{"everything at once", "Margaret Hamilton Draper 69", hamilt, personalData},
		{"name and common words", "grace hopper is my name", hopper, personalData},
		{"names around common words", "Grace loves Hopper horses", hopper, personalData},
		{"name and a date", "Grace Hopper 09.12.1906", hopper, personalData},
		{"name typed without its accent", "amelie poulain 2001!!", Personal{FirstName: "Amélie", LastName: "Poulain"}, personalData},
		{"name typed with an accent", "Grâce Hopper 1906", hopper, personalData},
		{"Cyrillic name and a year", "Наталья Иванова 1985", Personal{FirstName: "Наталья", LastName: "Иванова"}, personalData},
		{"CJK name repeated", "王小明王小明王小明王小明1990", Personal{FirstName: "小明", LastName: "王"}, predictable},

		// Good passwords stay good.
		{"passphrase with spaces", "correct horse battery staple", hopper, ok},
		{"another passphrase", "tremendous purple giraffe umbrella", hopper, ok},
		{"random 16", "k8#Vq2!zR7mW@x4L", Personal{}, ok},
		{"random 20", "x7Kp!2vQz#9mLw$4hT6e", hopper, ok},
		{"random lower-case 15", "hjzvqmtxbrlfkwd", Personal{}, ok},
		{"passphrase containing the name", "grace sails the blue pacific at dawn", hopper, ok},
		{"passphrase containing the company", "the remington rand typewriter clacks all night long", hopper, ok},
		{"accented passphrase", "café crème brûlée à minuit", Personal{}, ok},
		{"CJK sentence", "春眠不覚暁処処聞啼鳥夜来風雨声", Personal{}, ok},
		{"a walk inside a long passphrase", "qwerty is a keyboard my cat walks on daily", Personal{}, ok},
		{"digits that are no sequence", "839105726481937", Personal{}, ok},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := defaultPolicy.Check(tt.pw, tt.pw, tt.who)["password"].ID
			if got != tt.want {
				t.Errorf("Check(%q) = %q, want %q", tt.pw, got, tt.want)
			}
			checkEvaluate(t, defaultPolicy, tt.pw, tt.who)
		})
	}
}

// The pattern check on its own, for patterns that the blocklist also
// catches first in Check.
func TestIsPredictable(t *testing.T) {
	for _, pw := range []string{
		"1234567890123456", "1357913579135791", "1234567890!@#$%^&*()", "asdfghjkl;asdfgh",
		"7894561230789456", "147258369147258369", "159357159357159", "qwertyuiopasdfg", "zaq12wsxcde34rfv",
		"1qaz2wsx3edc4rfv", "aaaaaaaaaaaaaaa", "abcdefghijklmno", "0987654321098765", "2468024680246802",
		"abcdabcdabcdabcd", "112233445566778899", "!@#$%^&*()_+!@#$",
	} {
		if !defaultPolicy.isPredictable(pw) {
			t.Errorf("isPredictable(%q) = false, want true", pw)
		}
	}
	for _, pw := range []string{
		"correct horse battery staple", "tremendous purple giraffe umbrella", "k8#Vq2!zR7mW@x4L",
		"839105726481937", "hjzvqmtxbrlfkwd", "春眠不覚暁処処聞啼鳥夜来風雨声", "كلمة سر طويلة جدا للحساب",
		"ничего себе пароль такой", "Wetter war wunderbar 1987",
	} {
		if defaultPolicy.isPredictable(pw) {
			t.Errorf("isPredictable(%q) = true, want false", pw)
		}
	}
}
