using System;
using System.Collections.Generic;
using System.Text;
using System.Threading;

namespace BackupIam.Engine.Simulation
{
    /// <summary>
    /// A Resource or condition value that may contain policy variables (<c>${aws:username}</c>,
    /// <c>${key, 'default'}</c>) and the escapes <c>${*}</c>, <c>${?}</c>, <c>${$}</c>.
    /// See https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html.
    /// Variables are substituted only in documents with Version 2012-10-17; an unresolved variable
    /// (no value and no default) makes the value match nothing.
    /// </summary>
    /// <typeparam name="T">The compiled form (a glob, an ARN pattern, a string).</typeparam>
    internal sealed class ValueTemplate<T>
        where T : class
    {
        private readonly T? _static;
        private readonly Part[]? _parts;
        private readonly Func<string, bool[]?, T> _factory;
        private readonly bool _principalOnly;
        private CacheEntry? _cache;

        private ValueTemplate(T? value, Part[]? parts, Func<string, bool[]?, T> factory, bool principalOnly)
        {
            _static = value;
            _parts = parts;
            _factory = factory;
            _principalOnly = principalOnly;
        }

        /// <summary>The value as written in the policy.</summary>
        public string Source { get; private set; } = string.Empty;

        /// <summary>Parses <paramref name="text"/>. With <paramref name="variables"/> false the text is taken literally.</summary>
        public static ValueTemplate<T> Create(string text, bool variables, Func<string, bool[]?, T> factory)
        {
            if (!variables || text.IndexOf("${", StringComparison.Ordinal) < 0)
            {
                return new ValueTemplate<T>(factory(text, null), null, factory, false) { Source = text };
            }

            var parts = new List<Part>();
            var literal = new StringBuilder();
            bool principalOnly = true;
            int i = 0;
            while (i < text.Length)
            {
                int open = text.IndexOf("${", i, StringComparison.Ordinal);
                int close = open < 0 ? -1 : FindClose(text, open + 2);
                if (open < 0 || close < 0)
                {
                    literal.Append(text, i, text.Length - i);
                    break;
                }

                literal.Append(text, i, open - i);
                string inner = text.Substring(open + 2, close - open - 2);
                if (inner == "*" || inner == "?" || inner == "$")
                {
                    FlushLiteral(parts, literal);
                    parts.Add(Part.Escape(inner[0]));
                }
                else
                {
                    FlushLiteral(parts, literal);
                    var variable = ParseVariable(inner);
                    principalOnly &= PrincipalInfo.IsPrincipalKey(variable.Key!);
                    parts.Add(variable);
                }

                i = close + 1;
            }

            FlushLiteral(parts, literal);
            bool hasVariable = false;
            foreach (var part in parts)
            {
                hasVariable |= part.Key != null;
            }

            if (!hasVariable)
            {
                // Only escapes: resolvable once.
                var built = Build(parts.ToArray(), null);
                return new ValueTemplate<T>(factory(built!.Value.Text, built.Value.Literal), null, factory, false) { Source = text };
            }

            return new ValueTemplate<T>(null, parts.ToArray(), factory, principalOnly) { Source = text };
        }

        /// <summary>The compiled value for <paramref name="request"/>, or null when a variable does not resolve.</summary>
        public T? Resolve(EvaluationRequest request)
        {
            if (_static != null)
            {
                return _static;
            }

            if (_principalOnly)
            {
                var cache = Volatile.Read(ref _cache);
                if (cache != null && ReferenceEquals(cache.Principal, request.Principal))
                {
                    return cache.Value;
                }
            }

            var built = Build(_parts!, request);
            T? value = built == null ? null : _factory(built.Value.Text, built.Value.Literal);
            if (_principalOnly)
            {
                Volatile.Write(ref _cache, new CacheEntry(request.Principal, value));
            }

            return value;
        }

        private static (string Text, bool[]? Literal)? Build(Part[] parts, EvaluationRequest? request)
        {
            var sb = new StringBuilder();
            List<int>? literalPositions = null;
            foreach (var part in parts)
            {
                if (part.Key == null && part.Text != null)
                {
                    sb.Append(part.Text);
                }
                else if (part.Key == null)
                {
                    if (part.EscapeChar != '$')
                    {
                        (literalPositions ??= new List<int>()).Add(sb.Length);
                    }

                    sb.Append(part.EscapeChar);
                }
                else
                {
                    string? value = request == null ? null : Lookup(part.Key, request);
                    value ??= part.Default;
                    if (value == null)
                    {
                        return null;
                    }

                    // A substituted value is data, never a wildcard.
                    for (int k = 0; k < value.Length; k++)
                    {
                        if (value[k] == '*' || value[k] == '?')
                        {
                            (literalPositions ??= new List<int>()).Add(sb.Length + k);
                        }
                    }

                    sb.Append(value);
                }
            }

            bool[]? mask = null;
            if (literalPositions != null)
            {
                mask = new bool[sb.Length];
                foreach (int pos in literalPositions)
                {
                    mask[pos] = true;
                }
            }

            return (sb.ToString(), mask);
        }

        private static string? Lookup(string key, EvaluationRequest request)
        {
            var fromPrincipal = request.Principal.GetKeyValues(key);
            if (fromPrincipal != null)
            {
                return fromPrincipal[0];
            }

            // Multivalued keys cannot be policy variables.
            return request.Context.TryGetValue(key, out var values) && values != null && values.Count == 1 ? values[0] : null;
        }

        private static int FindClose(string text, int from)
        {
            bool inQuote = false;
            for (int i = from; i < text.Length; i++)
            {
                char c = text[i];
                if (c == '\'')
                {
                    inQuote = !inQuote;
                }
                else if (c == '}' && !inQuote)
                {
                    return i;
                }
            }

            return -1;
        }

        private static Part ParseVariable(string inner)
        {
            int comma = inner.IndexOf(',');
            if (comma < 0)
            {
                return Part.Variable(inner.Trim(), null);
            }

            string key = inner.Substring(0, comma).Trim();
            string rest = inner.Substring(comma + 1).Trim();
            string? def = null;
            if (rest.Length >= 2 && rest[0] == '\'' && rest[rest.Length - 1] == '\'')
            {
                def = rest.Substring(1, rest.Length - 2).Replace("''", "'");
            }

            return Part.Variable(key, def);
        }

        private static void FlushLiteral(List<Part> parts, StringBuilder literal)
        {
            if (literal.Length > 0)
            {
                parts.Add(Part.Literal(literal.ToString()));
                literal.Clear();
            }
        }

        private readonly struct Part
        {
            private Part(string? text, char escape, string? key, string? def)
            {
                Text = text;
                EscapeChar = escape;
                Key = key;
                Default = def;
            }

            public string? Text { get; }

            public char EscapeChar { get; }

            public string? Key { get; }

            public string? Default { get; }

            public static Part Literal(string text) => new Part(text, '\0', null, null);

            public static Part Escape(char c) => new Part(null, c, null, null);

            public static Part Variable(string key, string? def) => new Part(null, '\0', key, def);
        }

        private sealed class CacheEntry
        {
            public CacheEntry(PrincipalInfo principal, T? value)
            {
                Principal = principal;
                Value = value;
            }

            public PrincipalInfo Principal { get; }

            public T? Value { get; }
        }
    }
}
