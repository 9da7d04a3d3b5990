using System;
using System.Globalization;
using System.Text;

namespace BackupIam.Engine.Json
{
    /// <summary>
    /// A strict RFC 8259 JSON reader. Object members keep their order, numbers keep their text, and every node
    /// records its line and column. Errors are <see cref="JsonFormatException"/> with the position and what was expected.
    /// A leading byte-order mark is ignored. Nesting deeper than <see cref="MaxDepth"/> is refused.
    /// </summary>
    public static class JsonReader
    {
        /// <summary>Maximum nesting of arrays and objects.</summary>
        public const int MaxDepth = 128;

        /// <summary>Parses one JSON value; only whitespace may follow it.</summary>
        /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
        /// <exception cref="JsonFormatException">The text is not valid JSON.</exception>
        public static JsonNode Parse(string text)
        {
            if (text == null)
            {
                throw new ArgumentNullException(nameof(text));
            }

            var parser = new Parser(text);
            return parser.ParseDocument();
        }

        /// <summary>
        /// Scans a JSON number starting at <paramref name="start"/>; returns the index just after it,
        /// or -1 when no valid number starts there.
        /// </summary>
        internal static int ScanNumber(string s, int start)
        {
            int i = start;
            if (i < s.Length && s[i] == '-')
            {
                i++;
            }

            if (i >= s.Length)
            {
                return -1;
            }

            if (s[i] == '0')
            {
                i++;
            }
            else if (s[i] >= '1' && s[i] <= '9')
            {
                while (i < s.Length && IsDigit(s[i]))
                {
                    i++;
                }
            }
            else
            {
                return -1;
            }

            if (i < s.Length && s[i] == '.')
            {
                i++;
                if (i >= s.Length || !IsDigit(s[i]))
                {
                    return -1;
                }

                while (i < s.Length && IsDigit(s[i]))
                {
                    i++;
                }
            }

            if (i < s.Length && (s[i] == 'e' || s[i] == 'E'))
            {
                i++;
                if (i < s.Length && (s[i] == '+' || s[i] == '-'))
                {
                    i++;
                }

                if (i >= s.Length || !IsDigit(s[i]))
                {
                    return -1;
                }

                while (i < s.Length && IsDigit(s[i]))
                {
                    i++;
                }
            }

            return i;
        }

        private static bool IsDigit(char c) => c >= '0' && c <= '9';

        private sealed class Parser
        {
            private readonly string _s;
            private int _pos;
            private int _line = 1;
            private int _lineStart;
            private int _depth;

            public Parser(string s)
            {
                _s = s;
                if (s.Length > 0 && s[0] == '\uFEFF')
                {
                    _pos = 1;
                    _lineStart = 1;
                }
            }

            private int Column => _pos - _lineStart + 1;

            public JsonNode ParseDocument()
            {
                SkipWhitespace();
                if (_pos >= _s.Length)
                {
                    throw Error("The text is empty", "a JSON value");
                }

                JsonNode root = ParseValue();
                SkipWhitespace();
                if (_pos < _s.Length)
                {
                    throw Error("Unexpected " + Describe(_s[_pos]) + " after the end of the JSON value", "end of text");
                }

                return root;
            }

            private JsonNode ParseValue()
            {
                if (_pos >= _s.Length)
                {
                    throw Error("Unexpected end of text", "a JSON value");
                }

                char c = _s[_pos];
                switch (c)
                {
                    case '{':
                        return ParseObject();
                    case '[':
                        return ParseArray();
                    case '"':
                    {
                        int line = _line, col = Column;
                        return new JsonString(ParseString(), line, col);
                    }

                    case 't':
                        return ParseLiteral("true", new JsonBoolean(true, _line, Column));
                    case 'f':
                        return ParseLiteral("false", new JsonBoolean(false, _line, Column));
                    case 'n':
                        return ParseLiteral("null", new JsonNull(_line, Column));
                    default:
                        if (c == '-' || IsDigit(c))
                        {
                            return ParseNumber();
                        }

                        if (c == '\'')
                        {
                            throw Error("Strings must use double quotes, not single quotes", "a JSON value");
                        }

                        throw Error("Unexpected " + Describe(c), "a JSON value (object, array, string, number, true, false or null)");
                }
            }

            private JsonNode ParseLiteral(string word, JsonNode node)
            {
                if (string.CompareOrdinal(_s, _pos, word, 0, word.Length) != 0)
                {
                    int end = _pos;
                    while (end < _s.Length && char.IsLetterOrDigit(_s[end]))
                    {
                        end++;
                    }

                    throw Error("Unknown word '" + _s.Substring(_pos, Math.Max(1, end - _pos)) + "'", "a JSON value (true, false, null, a number, a string, an object or an array)");
                }

                _pos += word.Length;
                return node;
            }

            private JsonNode ParseNumber()
            {
                int line = _line, col = Column;
                int end = ScanNumber(_s, _pos);
                if (end < 0)
                {
                    // Find where it went wrong, for a precise column.
                    int i = _pos;
                    if (_s[i] == '-')
                    {
                        i++;
                    }

                    while (i < _s.Length && (IsDigit(_s[i]) || _s[i] == '.' || _s[i] == 'e' || _s[i] == 'E' || _s[i] == '+' || _s[i] == '-'))
                    {
                        i++;
                    }

                    string bad = _s.Substring(_pos, i - _pos);
                    throw Error("Invalid number '" + bad + "'", "a number such as 42, -1.5 or 2e10");
                }

                if (end < _s.Length && IsDigit(_s[end]))
                {
                    // ScanNumber stops after a lone leading 0 ("01"); anything else would have consumed the digit.
                    throw Error("Numbers must not have leading zeros", "a number such as 42, -1.5 or 2e10");
                }

                string raw = _s.Substring(_pos, end - _pos);
                _pos = end;
                return new JsonNumber(raw, line, col, validated: true);
            }

            private JsonObject ParseObject()
            {
                var obj = new JsonObject(_line, Column);
                Enter();
                _pos++; // {
                SkipWhitespace();
                if (Peek() == '}')
                {
                    _pos++;
                    _depth--;
                    return obj;
                }

                while (true)
                {
                    SkipWhitespace();
                    if (_pos >= _s.Length)
                    {
                        throw Error("Unexpected end of text inside an object", "a member name in double quotes or '}'");
                    }

                    if (_s[_pos] != '"')
                    {
                        string hint = _s[_pos] == '}' ? "A trailing comma is not allowed before '}'" : "Unexpected " + Describe(_s[_pos]);
                        throw Error(hint, "a member name in double quotes");
                    }

                    int keyLine = _line, keyCol = Column;
                    string name = ParseString();
                    SkipWhitespace();
                    if (Peek() != ':')
                    {
                        throw Error(_pos >= _s.Length ? "Unexpected end of text after member name \"" + name + "\"" : "Unexpected " + Describe(_s[_pos]) + " after member name \"" + name + "\"", "':'");
                    }

                    _pos++;
                    SkipWhitespace();
                    JsonNode value = ParseValue();
                    obj.Add(new JsonProperty(name, value, keyLine, keyCol));
                    SkipWhitespace();
                    char c = Peek();
                    if (c == ',')
                    {
                        _pos++;
                        continue;
                    }

                    if (c == '}')
                    {
                        _pos++;
                        _depth--;
                        return obj;
                    }

                    throw Error(_pos >= _s.Length ? "Unexpected end of text inside an object" : "Unexpected " + Describe(c) + " inside an object", "',' or '}'");
                }
            }

            private JsonArray ParseArray()
            {
                var arr = new JsonArray(_line, Column);
                Enter();
                _pos++; // [
                SkipWhitespace();
                if (Peek() == ']')
                {
                    _pos++;
                    _depth--;
                    return arr;
                }

                while (true)
                {
                    SkipWhitespace();
                    if (Peek() == ']')
                    {
                        throw Error("A trailing comma is not allowed before ']'", "a JSON value");
                    }

                    arr.Add(ParseValue());
                    SkipWhitespace();
                    char c = Peek();
                    if (c == ',')
                    {
                        _pos++;
                        continue;
                    }

                    if (c == ']')
                    {
                        _pos++;
                        _depth--;
                        return arr;
                    }

                    throw Error(_pos >= _s.Length ? "Unexpected end of text inside an array" : "Unexpected " + Describe(c) + " inside an array", "',' or ']'");
                }
            }

            private string ParseString()
            {
                int openLine = _line, openCol = Column;
                _pos++; // opening quote
                int start = _pos;

                // Fast path: no escapes.
                while (_pos < _s.Length)
                {
                    char c = _s[_pos];
                    if (c == '"')
                    {
                        string result = _s.Substring(start, _pos - start);
                        _pos++;
                        return result;
                    }

                    if (c == '\\' || c < 0x20)
                    {
                        break;
                    }

                    _pos++;
                }

                var sb = new StringBuilder();
                sb.Append(_s, start, _pos - start);
                while (true)
                {
                    if (_pos >= _s.Length)
                    {
                        throw new JsonFormatException(
                            "Invalid JSON at line " + openLine + ", column " + openCol + ": the string is not closed (missing '\"').",
                            openLine,
                            openCol,
                            "'\"'");
                    }

                    char c = _s[_pos];
                    if (c == '"')
                    {
                        _pos++;
                        return sb.ToString();
                    }

                    if (c < 0x20)
                    {
                        throw Error(c == '\n' || c == '\r' ? "Line break inside a string (write it as \\n)" : "Control character U+" + ((int)c).ToString("X4", CultureInfo.InvariantCulture) + " inside a string", "'\"' or an escaped character");
                    }

                    if (c != '\\')
                    {
                        sb.Append(c);
                        _pos++;
                        continue;
                    }

                    _pos++;
                    if (_pos >= _s.Length)
                    {
                        throw Error("Unexpected end of text in an escape sequence", "an escape such as \\n, \\\" or \\u0041");
                    }

                    char e = _s[_pos];
                    switch (e)
                    {
                        case '"': sb.Append('"'); break;
                        case '\\': sb.Append('\\'); break;
                        case '/': sb.Append('/'); break;
                        case 'b': sb.Append('\b'); break;
                        case 'f': sb.Append('\f'); break;
                        case 'n': sb.Append('\n'); break;
                        case 'r': sb.Append('\r'); break;
                        case 't': sb.Append('\t'); break;
                        case 'u':
                        {
                            int code = 0;
                            for (int k = 1; k <= 4; k++)
                            {
                                int idx = _pos + k;
                                int v = idx < _s.Length ? HexValue(_s[idx]) : -1;
                                if (v < 0)
                                {
                                    _pos = Math.Min(idx, _s.Length);
                                    throw Error("Invalid \\u escape", "four hexadecimal digits after \\u");
                                }

                                code = (code * 16) + v;
                            }

                            sb.Append((char)code);
                            _pos += 4;
                            break;
                        }

                        default:
                            throw Error("Invalid escape '\\" + e + "'", "an escape such as \\n, \\t, \\\", \\\\, \\/ or \\u0041");
                    }

                    _pos++;
                }
            }

            private static int HexValue(char c)
            {
                if (c >= '0' && c <= '9')
                {
                    return c - '0';
                }

                if (c >= 'a' && c <= 'f')
                {
                    return c - 'a' + 10;
                }

                if (c >= 'A' && c <= 'F')
                {
                    return c - 'A' + 10;
                }

                return -1;
            }

            private void Enter()
            {
                _depth++;
                if (_depth > MaxDepth)
                {
                    throw Error("Nesting is deeper than " + MaxDepth + " levels", "less deeply nested JSON");
                }
            }

            private char Peek() => _pos < _s.Length ? _s[_pos] : '\0';

            private void SkipWhitespace()
            {
                while (_pos < _s.Length)
                {
                    char c = _s[_pos];
                    if (c == ' ' || c == '\t')
                    {
                        _pos++;
                    }
                    else if (c == '\n')
                    {
                        _pos++;
                        _line++;
                        _lineStart = _pos;
                    }
                    else if (c == '\r')
                    {
                        _pos++;
                        if (_pos < _s.Length && _s[_pos] == '\n')
                        {
                            _pos++;
                        }

                        _line++;
                        _lineStart = _pos;
                    }
                    else if (c == '/' && _pos + 1 < _s.Length && (_s[_pos + 1] == '/' || _s[_pos + 1] == '*'))
                    {
                        throw Error("Comments are not allowed in JSON", "a JSON value");
                    }
                    else
                    {
                        return;
                    }
                }
            }

            private static string Describe(char c)
            {
                if (c < 0x20 || c == 0x7F)
                {
                    return "character U+" + ((int)c).ToString("X4", CultureInfo.InvariantCulture);
                }

                return "'" + c + "'";
            }

            private JsonFormatException Error(string what, string expected)
            {
                int line = _line, col = Column;
                return new JsonFormatException(
                    "Invalid JSON at line " + line + ", column " + col + ": " + what + "; expected " + expected + ".",
                    line,
                    col,
                    expected);
            }
        }
    }
}
