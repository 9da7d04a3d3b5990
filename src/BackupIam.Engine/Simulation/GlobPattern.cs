using System;

namespace BackupIam.Engine.Simulation
{
    /// <summary>
    /// A pre-compiled IAM wildcard pattern ('*' any run, '?' one character), matched iteratively without Regex.
    /// Characters produced by the escapes <c>${*}</c> and <c>${?}</c> are literal (see <see cref="_literal"/>).
    /// </summary>
    internal sealed class GlobPattern
    {
        private readonly string _pattern;
        private readonly bool[]? _literal;
        private readonly bool _ignoreCase;
        private readonly Kind _kind;
        private readonly int _prefixLength;

        private GlobPattern(string pattern, bool[]? literal, bool ignoreCase, bool wildcards)
        {
            _ignoreCase = ignoreCase;
            _pattern = ignoreCase ? pattern.ToLowerInvariant() : pattern;
            _literal = literal;
            if (!wildcards)
            {
                _kind = Kind.Exact;
                return;
            }

            int stars = 0;
            int questions = 0;
            int firstStar = -1;
            for (int i = 0; i < _pattern.Length; i++)
            {
                if (IsStar(i))
                {
                    stars++;
                    if (firstStar < 0)
                    {
                        firstStar = i;
                    }
                }
                else if (IsQuestion(i))
                {
                    questions++;
                }
            }

            if (stars == 0 && questions == 0)
            {
                _kind = Kind.Exact;
            }
            else if (questions == 0 && stars == 1 && firstStar == _pattern.Length - 1)
            {
                _kind = firstStar == 0 ? Kind.Anything : Kind.Prefix;
                _prefixLength = firstStar;
            }
            else
            {
                _kind = Kind.General;
            }
        }

        private enum Kind
        {
            Exact,
            Anything,
            Prefix,
            General,
        }

        /// <summary>The pattern text (lower-cased when case-insensitive).</summary>
        public string Text => _pattern;

        /// <summary>Compiles a wildcard pattern.</summary>
        public static GlobPattern Wildcard(string pattern, bool ignoreCase, bool[]? literal = null) =>
            new GlobPattern(pattern, literal, ignoreCase, wildcards: true);

        /// <summary>Compiles an exact (no wildcard) comparison.</summary>
        public static GlobPattern Exact(string text, bool ignoreCase) =>
            new GlobPattern(text, null, ignoreCase, wildcards: false);

        public bool IsMatch(string value) => IsMatch(value, 0, value.Length);

        /// <summary>Matches the slice [start, end) of <paramref name="value"/>.</summary>
        public bool IsMatch(string value, int start, int end)
        {
            int length = end - start;
            string p = _pattern;
            switch (_kind)
            {
                case Kind.Anything:
                    return true;
                case Kind.Exact:
                    if (length != p.Length)
                    {
                        return false;
                    }

                    if (!_ignoreCase)
                    {
                        return string.CompareOrdinal(value, start, p, 0, length) == 0;
                    }

                    for (int i = 0; i < length; i++)
                    {
                        if (Lower(value[start + i]) != p[i])
                        {
                            return false;
                        }
                    }

                    return true;
                case Kind.Prefix:
                    if (length < _prefixLength)
                    {
                        return false;
                    }

                    for (int i = 0; i < _prefixLength; i++)
                    {
                        char c = value[start + i];
                        if ((_ignoreCase ? Lower(c) : c) != p[i])
                        {
                            return false;
                        }
                    }

                    return true;
                default:
                    return MatchGeneral(value, start, end);
            }
        }

        private bool MatchGeneral(string s, int si, int end)
        {
            string p = _pattern;
            int pl = p.Length;
            int pi = 0;
            int starP = -1;
            int starS = 0;
            while (si < end)
            {
                if (pi < pl && IsStar(pi))
                {
                    starP = pi++;
                    starS = si;
                }
                else if (pi < pl && (IsQuestion(pi) || (_ignoreCase ? Lower(s[si]) : s[si]) == p[pi]))
                {
                    si++;
                    pi++;
                }
                else if (starP >= 0)
                {
                    pi = starP + 1;
                    si = ++starS;
                }
                else
                {
                    return false;
                }
            }

            while (pi < pl && IsStar(pi))
            {
                pi++;
            }

            return pi == pl;
        }

        private bool IsStar(int i) => _pattern[i] == '*' && (_literal == null || !_literal[i]);

        private bool IsQuestion(int i) => _pattern[i] == '?' && (_literal == null || !_literal[i]);

        private static char Lower(char c)
        {
            if (c < 128)
            {
                return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
            }

            return char.ToLowerInvariant(c);
        }

        /// <inheritdoc />
        public override string ToString() => _pattern;
    }
}
