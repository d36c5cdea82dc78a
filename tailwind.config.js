// Tailwind CSS 3.4 configuration. Designers edit this file and components/;
// rebuild static/app.css with .ci/build-css afterwards (CI checks it is current).

/** @type {import('tailwindcss').Config} */
module.exports = {
  // Generated *_templ.go files repeat the .templ sources' classes, and their
  // gofmt'ed Go (names[i:i+2]) reads to Tailwind as arbitrary-value classes.
  content: ['./components/**/*.templ', './components/**/*.go', '!./components/**/*_templ.go', './handlers/**/*.go'],
  darkMode: 'media',
  theme: {
    extend: {
      colors: {
        // A calm indigo. White text passes WCAG AA on 500 and darker;
        // in dark mode, brand-950 text passes on 400 and lighter.
        brand: {
          50: '#f0f4fe',
          100: '#dde6fc',
          200: '#c3d2fa',
          300: '#9bb4f5',
          400: '#6e8cee',
          500: '#4d68e5',
          600: '#3a4cd9',
          700: '#313cc4',
          800: '#2e359e',
          900: '#2b327d',
          950: '#1e2049',
        },
      },
      fontFamily: {
        sans: [
          'system-ui',
          '-apple-system',
          '"Segoe UI"',
          'Roboto',
          '"Helvetica Neue"',
          '"Noto Sans"',
          '"Liberation Sans"',
          'Arial',
          'sans-serif',
          '"Apple Color Emoji"',
          '"Segoe UI Emoji"',
          '"Noto Color Emoji"',
        ],
      },
      ringColor: {
        DEFAULT: '#3a4cd9',
      },
      outlineColor: {
        focus: '#3a4cd9',
        'focus-dark': '#9bb4f5',
      },
    },
  },
  plugins: [],
};
