using System;
using System.Collections;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Json;
using BackupIam.Engine.Policies;

namespace BackupIam.Abstractions
{
    /// <summary>
    /// One policy taken from the pipeline: our own BackupPolicy, JSON text (also URL-encoded, as IAM's Get*Policy returns
    /// it), a file, any object with a PolicyDocument property, or the object ConvertFrom-Json or a hashtable makes of a policy.
    /// </summary>
    internal sealed class PolicyInput
    {
        private const int MaxDepth = 64;

        private PolicyInput(string name, PolicyDocument document, string text, bool isBucketPolicy, BackupPolicy? source)
        {
            Name = name;
            Document = document;
            Text = text;
            IsBucketPolicy = isBucketPolicy;
            Source = source;
        }

        public string Name { get; }

        public PolicyDocument Document { get; }

        /// <summary>The JSON as given (URL-decoded; used for IAM's size measure).</summary>
        public string Text { get; }

        public bool IsBucketPolicy { get; }

        public BackupPolicy? Source { get; }

        public static PolicyInput FromObject(object value, string parameterName, int position)
        {
            object item = value is PSObject ps && !(ps.BaseObject is PSCustomObject) ? ps.BaseObject : value;
            if (item is BackupPolicy policy)
            {
                return new PolicyInput(policy.PolicyName ?? $"Policy{position}", policy.Document, policy.PolicyDocument,
                    policy.Kind == "Bucket", policy);
            }

            if (item is FileInfo file)
            {
                return FromFile(file.FullName, parameterName);
            }

            string name = $"Policy{position}";
            if (item is string text)
            {
                return FromText(text, name, parameterName);
            }

            PSObject wrapped = PSObject.AsPSObject(value);
            object? document = wrapped.Properties["PolicyDocument"]?.Value;
            if (document != null)
            {
                // Get-IAMUserPolicy and friends: PolicyName plus a (URL-encoded) PolicyDocument.
                name = wrapped.Properties["PolicyName"]?.Value?.ToString() ?? name;
                PolicyInput inner = FromObject(document, parameterName, position);
                return new PolicyInput(name, inner.Document, inner.Text, inner.IsBucketPolicy, null);
            }

            if (wrapped.BaseObject is PSCustomObject && wrapped.Properties["Statement"] != null)
            {
                return FromText(ToJson(wrapped), name, parameterName);
            }

            if (item is IDictionary dictionary && dictionary.Keys.Cast<object>().Any(k => string.Equals(k?.ToString(), "Statement", StringComparison.OrdinalIgnoreCase)))
            {
                return FromText(ToJson(dictionary), name, parameterName);
            }

            throw new InputValidationException(
                "PolicyInputInvalid", parameterName,
                $"-{parameterName} takes policy JSON text (also line by line, as Get-Content sends it), a BackupPolicy object from New-BackupPolicy, "
                + $"an object with a PolicyDocument property, or a policy object from ConvertFrom-Json or a hashtable with a Statement key; got {item.GetType().Name}.")
            {
                Target = value,
            };
        }

        /// <summary>Parses JSON text; a document that starts with %7B (URL-encoded, as IAM returns it) is decoded first.</summary>
        public static PolicyInput FromText(string text, string name, string parameterName = "Policy")
        {
            string json = Decode(text);
            if (string.IsNullOrWhiteSpace(json))
            {
                throw new InputValidationException(
                    "PolicyInputInvalid", parameterName,
                    $"-{parameterName} got empty text; give policy JSON such as '{{\"Version\":\"2012-10-17\",\"Statement\":[...]}}'.");
            }

            PolicyDocument document = PolicyJson.Parse(json);
            return new PolicyInput(name, document, json, document.Statements.Any(s => s.Principal != null || s.NotPrincipal != null), null);
        }

        public static PolicyInput FromFile(string path, string parameterName)
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

        private static string Decode(string text)
        {
            string trimmed = text.TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
            if (trimmed.StartsWith("%7B", StringComparison.OrdinalIgnoreCase))
            {
                return Uri.UnescapeDataString(trimmed.Trim());
            }

            return text;
        }

        /// <summary>JSON text of a ConvertFrom-Json object or a hashtable (nested objects, arrays, strings, numbers, booleans, dates).</summary>
        private static string ToJson(object value)
        {
            var sb = new StringBuilder();
            WriteJson(value, sb, 0);
            return sb.ToString();
        }

        private static void WriteJson(object? value, StringBuilder sb, int depth)
        {
            if (depth > MaxDepth)
            {
                throw new InputValidationException("PolicyInputInvalid", "Policy", $"The policy object is nested more than {MaxDepth} levels deep.");
            }

            if (value is PSObject ps)
            {
                if (ps.BaseObject is PSCustomObject)
                {
                    sb.Append('{');
                    bool first = true;
                    foreach (PSPropertyInfo property in ps.Properties)
                    {
                        if (property.MemberType != PSMemberTypes.NoteProperty)
                        {
                            continue;
                        }

                        sb.Append(first ? string.Empty : ",");
                        first = false;
                        JsonWriter.WriteString(property.Name, sb);
                        sb.Append(':');
                        WriteJson(property.Value, sb, depth + 1);
                    }

                    sb.Append('}');
                    return;
                }

                value = ps.BaseObject;
            }

            switch (value)
            {
                case null:
                    sb.Append("null");
                    return;
                case string s:
                    JsonWriter.WriteString(s, sb);
                    return;
                case char c:
                    JsonWriter.WriteString(c.ToString(), sb);
                    return;
                case bool b:
                    sb.Append(b ? "true" : "false");
                    return;
                case DateTime date:
                    JsonWriter.WriteString(
                        date.Kind == DateTimeKind.Utc
                            ? date.ToString(date.Millisecond == 0 ? "yyyy-MM-dd'T'HH:mm:ss'Z'" : "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)
                            : date.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
                        sb);
                    return;
                case DateTimeOffset offset:
                    JsonWriter.WriteString(offset.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture), sb);
                    return;
                case IDictionary dictionary:
                    sb.Append('{');
                    bool firstKey = true;
                    foreach (DictionaryEntry pair in dictionary)
                    {
                        sb.Append(firstKey ? string.Empty : ",");
                        firstKey = false;
                        JsonWriter.WriteString(Convert.ToString(pair.Key, CultureInfo.InvariantCulture) ?? string.Empty, sb);
                        sb.Append(':');
                        WriteJson(pair.Value, sb, depth + 1);
                    }

                    sb.Append('}');
                    return;
                case IEnumerable list:
                    sb.Append('[');
                    bool firstItem = true;
                    foreach (object? item in list)
                    {
                        sb.Append(firstItem ? string.Empty : ",");
                        firstItem = false;
                        WriteJson(item, sb, depth + 1);
                    }

                    sb.Append(']');
                    return;
                case IConvertible number when IsNumber(number):
                    sb.Append(Convert.ToString(number, CultureInfo.InvariantCulture));
                    return;
                default:
                    JsonWriter.WriteString(Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty, sb);
                    return;
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
    /// Joins policy text that arrives on the pipeline line by line (Get-Content without -Raw) into whole documents:
    /// lines are collected until the JSON value that the first line opens is closed. A string holding a whole
    /// document (or a URL-encoded one) is complete at once.
    /// </summary>
    internal sealed class PolicyTextCollector
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

            _buffer.Append(text).Append('\n');
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
