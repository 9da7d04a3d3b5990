using System;
using System.Collections;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Json;

namespace BackupIam.Engine.Policies
{
    /// <summary>A policy read from the caller's input: its document, the text it was read from, and what it is.</summary>
    public sealed class ParsedPolicy
    {
        internal ParsedPolicy(string name, PolicyDocument document, string text, bool isBucketPolicy, string? declaredName, string? declaredPrefix)
        {
            Name = name;
            Document = document;
            Text = text;
            IsBucketPolicy = isBucketPolicy;
            DeclaredName = declaredName;
            DeclaredPrefix = declaredPrefix;
        }

        /// <summary>The policy's name: the one it was given, the file's name, or "PolicyN" by position.</summary>
        public string Name { get; }

        public PolicyDocument Document { get; }

        /// <summary>The JSON as given (URL-decoded); the linter measures IAM's size quota on it.</summary>
        public string Text { get; }

        /// <summary>True when a statement names a Principal or NotPrincipal (a bucket policy), or when declared so.</summary>
        public bool IsBucketPolicy { get; }

        /// <summary>The name the policy object carried (a BackupPolicy's PolicyName), or null.</summary>
        public string? DeclaredName { get; }

        /// <summary>The prefix the policy object carried (a BackupPolicy's Prefix), or null.</summary>
        public string? DeclaredPrefix { get; }
    }

    /// <summary>
    /// Turns what a caller hands over into a <see cref="ParsedPolicy"/>: JSON text (also URL-encoded, as IAM's Get*Policy
    /// returns it), a file, an already built document, or plain data (dictionaries, lists, strings, numbers, booleans and
    /// dates, as ConvertFrom-Json objects and hashtables become once the cmdlet has unwrapped them). Plain data is written
    /// as JSON with <see cref="JsonWriter"/> and then parsed, so every input gets the same grammar checks and the same
    /// line/column errors.
    /// </summary>
    public static class PolicySource
    {
        /// <summary>ErrorId for input that is not a policy.</summary>
        public const string InputInvalidErrorId = "PolicyInputInvalid";

        /// <summary>How deep plain data may nest (a policy needs 5 levels).</summary>
        public const int MaxDepth = 64;

        /// <summary>Parses JSON text; a document that starts with %7B (URL-encoded) is decoded first.</summary>
        /// <exception cref="InputValidationException">ErrorId <c>PolicyInputInvalid</c> for empty text.</exception>
        /// <exception cref="PolicyFormatException">The text is not JSON or breaks the IAM policy grammar.</exception>
        public static ParsedPolicy FromText(string text, string name, string parameterName = "Policy")
        {
            string json = Decode(text ?? string.Empty);
            if (string.IsNullOrWhiteSpace(json))
            {
                throw new InputValidationException(
                    InputInvalidErrorId, parameterName,
                    $"-{parameterName} got empty text; give policy JSON such as '{{\"Version\":\"2012-10-17\",\"Statement\":[...]}}'.");
            }

            PolicyDocument document = PolicyJson.Parse(json);
            return new ParsedPolicy(name, document, json, HasPrincipal(document), null, null);
        }

        /// <summary>Reads and parses a policy file; its name is the file name without extension.</summary>
        /// <exception cref="InputValidationException">ErrorId <c>PolicyFileNotFound</c>.</exception>
        public static ParsedPolicy FromFile(string path, string parameterName)
        {
            if (!File.Exists(path))
            {
                throw new InputValidationException("PolicyFileNotFound", parameterName, $"The policy file '{path}' does not exist.")
                {
                    Target = path,
                };
            }

            return FromText(File.ReadAllText(path), Path.GetFileNameWithoutExtension(path), parameterName);
        }

        /// <summary>A document that is already built (a BackupPolicy's), with the kind, name and prefix it declares.</summary>
        public static ParsedPolicy FromDocument(PolicyDocument document, string text, string name, bool isBucketPolicy, string? declaredName, string? declaredPrefix)
        {
            if (document == null)
            {
                throw new ArgumentNullException(nameof(document));
            }

            return new ParsedPolicy(name, document, text ?? string.Empty, isBucketPolicy, declaredName, declaredPrefix);
        }

        /// <summary>The same policy under another name (Get-IAMUserPolicy output: PolicyName plus PolicyDocument).</summary>
        public static ParsedPolicy Rename(ParsedPolicy policy, string name) =>
            new ParsedPolicy(name, policy.Document, policy.Text, policy.IsBucketPolicy, null, null);

        /// <summary>True for plain data that holds a policy: a dictionary with a "Statement" key (any case).</summary>
        public static bool IsPolicyData(object? data) =>
            data is IDictionary dictionary && dictionary.Keys.Cast<object>().Any(k => string.Equals(k?.ToString(), "Statement", StringComparison.OrdinalIgnoreCase));

        /// <summary>
        /// Writes plain data as JSON and parses it. <paramref name="unwrap"/> turns the caller's own wrappers (for
        /// example PowerShell's PSObject) into plain data, one level at a time; it is called on every value.
        /// </summary>
        /// <exception cref="InputValidationException">ErrorId <c>PolicyInputInvalid</c> for data nested deeper than <see cref="MaxDepth"/>.</exception>
        /// <exception cref="PolicyFormatException">The data breaks the IAM policy grammar.</exception>
        public static ParsedPolicy FromData(object data, string name, string parameterName, Func<object, object?>? unwrap = null)
        {
            return FromText(JsonWriter.Write(ToNode(data, 0, parameterName, unwrap), indented: false), name, parameterName);
        }

        /// <summary>A statement with a Principal or NotPrincipal makes a bucket (resource) policy.</summary>
        public static bool HasPrincipal(PolicyDocument document) =>
            document.Statements.Any(s => s != null && (s.Principal != null || s.NotPrincipal != null));

        /// <summary>True for text that starts like a policy document: '{' or its URL-encoded form %7B.</summary>
        public static bool LooksLikeDocument(string text)
        {
            string trimmed = text.Trim();
            return trimmed.StartsWith("{", StringComparison.Ordinal) || trimmed.StartsWith("%7B", StringComparison.OrdinalIgnoreCase);
        }

        private static string Decode(string text)
        {
            string trimmed = text.TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
            if (trimmed.StartsWith("%7B", StringComparison.OrdinalIgnoreCase))
            {
                return Uri.UnescapeDataString(trimmed.Trim());
            }

            return text;
        }

        private static JsonNode ToNode(object? value, int depth, string parameterName, Func<object, object?>? unwrap)
        {
            if (depth > MaxDepth)
            {
                throw new InputValidationException(InputInvalidErrorId, parameterName, $"The policy object is nested more than {MaxDepth} levels deep.");
            }

            if (value != null && unwrap != null)
            {
                value = unwrap(value);
            }

            switch (value)
            {
                case null:
                    return new JsonNull();
                case string s:
                    return new JsonString(s);
                case char c:
                    return new JsonString(c.ToString());
                case bool b:
                    return new JsonBoolean(b);
                case DateTime date:
                    return new JsonString(date.Kind == DateTimeKind.Utc
                        ? date.ToString(date.Millisecond == 0 ? "yyyy-MM-dd'T'HH:mm:ss'Z'" : "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)
                        : date.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture));
                case DateTimeOffset offset:
                    return new JsonString(offset.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture));
                case IDictionary dictionary:
                    var obj = new JsonObject();
                    foreach (DictionaryEntry pair in dictionary)
                    {
                        obj.Add(new JsonProperty(Convert.ToString(pair.Key, CultureInfo.InvariantCulture) ?? string.Empty, ToNode(pair.Value, depth + 1, parameterName, unwrap)));
                    }

                    return obj;
                case IEnumerable list:
                    var array = new JsonArray();
                    foreach (object? item in list)
                    {
                        array.Add(ToNode(item, depth + 1, parameterName, unwrap));
                    }

                    return array;
                case IConvertible number when IsNumber(number):
                    string text = Convert.ToString(number, CultureInfo.InvariantCulture) ?? string.Empty;
                    if (JsonReader.ScanNumber(text, 0) != text.Length)
                    {
                        throw new InputValidationException(InputInvalidErrorId, parameterName, $"The policy object holds the number {text}, which JSON cannot represent.");
                    }

                    return new JsonNumber(text);

                default:
                    return new JsonString(Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty);
            }
        }

        private static bool IsNumber(IConvertible value)
        {
            switch (value.GetTypeCode())
            {
                case TypeCode.Byte:
                case TypeCode.SByte:
                case TypeCode.Int16:
                case TypeCode.UInt16:
                case TypeCode.Int32:
                case TypeCode.UInt32:
                case TypeCode.Int64:
                case TypeCode.UInt64:
                case TypeCode.Single:
                case TypeCode.Double:
                case TypeCode.Decimal:
                    return true;
                default:
                    return false;
            }
        }
    }

    /// <summary>
    /// Joins policy text that arrives line by line (Get-Content without -Raw) into whole documents: lines are collected
    /// until the JSON value that the first line opens is closed. A string holding a whole document (or a URL-encoded
    /// one) is complete at once.
    /// </summary>
    public sealed class PolicyLineCollector
    {
        private readonly StringBuilder _buffer = new StringBuilder();
        private int _depth;
        private bool _inString;
        private bool _escape;

        /// <summary>True when lines are waiting for the rest of their document.</summary>
        public bool HasPending => _buffer.Length > 0;

        /// <summary>Adds one piece of text; returns a whole document when this piece completes one, else null.</summary>
        public string? Add(string text)
        {
            if (_buffer.Length == 0)
            {
                string trimmed = text.TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
                if (trimmed.Length == 0)
                {
                    return null;
                }

                if (trimmed[0] != '{' && trimmed[0] != '[')
                {
                    return text; // URL-encoded, or not JSON: the parser reports it.
                }
            }

            // Lines are joined with '\n' between them and none after the last, so that one piece is the caller's text
            // exactly and a JSON error's line and column are the caller's (a truncated one-line document is "line 1").
            if (_buffer.Length > 0)
            {
                _buffer.Append('\n');
            }

            _buffer.Append(text);
            foreach (char c in text)
            {
                if (_inString)
                {
                    if (_escape)
                    {
                        _escape = false;
                    }
                    else if (c == '\\')
                    {
                        _escape = true;
                    }
                    else if (c == '"')
                    {
                        _inString = false;
                    }
                }
                else if (c == '"')
                {
                    _inString = true;
                }
                else if (c == '{' || c == '[')
                {
                    _depth++;
                }
                else if (c == '}' || c == ']')
                {
                    _depth--;
                }
            }

            return _depth <= 0 && !_inString ? Flush() : null;
        }

        /// <summary>Returns whatever is collected (possibly an incomplete document, which the parser then reports) and resets.</summary>
        public string? Flush()
        {
            if (_buffer.Length == 0)
            {
                return null;
            }

            string text = _buffer.ToString();
            _buffer.Clear();
            _depth = 0;
            _inString = false;
            _escape = false;
            return text;
        }
    }
}
