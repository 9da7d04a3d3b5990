using System;
using System.Globalization;
using System.Text;

namespace BackupIam.Engine.Json
{
    /// <summary>
    /// Writes a <see cref="JsonNode"/> as JSON text. Indented output uses 4 spaces and "\n" line breaks
    /// (the layout of the AWS console's policy editor) so output is identical on every platform;
    /// compact output has no whitespace at all. Numbers are written exactly as stored.
    /// Only '"', '\' and control characters are escaped; other characters are written as they are.
    /// </summary>
    public static class JsonWriter
    {
        private const string Indent = "    ";

        /// <summary>Returns the JSON text of <paramref name="node"/>.</summary>
        public static string Write(JsonNode node, bool indented = true)
        {
            var sb = new StringBuilder();
            Write(node, sb, indented);
            return sb.ToString();
        }

        /// <summary>Appends the JSON text of <paramref name="node"/> to <paramref name="builder"/>.</summary>
        public static void Write(JsonNode node, StringBuilder builder, bool indented = true)
        {
            if (node == null)
            {
                throw new ArgumentNullException(nameof(node));
            }

            if (builder == null)
            {
                throw new ArgumentNullException(nameof(builder));
            }

            WriteNode(node, builder, indented, 0);
        }

        /// <summary>Appends <paramref name="value"/> as a quoted, escaped JSON string.</summary>
        public static void WriteString(string value, StringBuilder builder)
        {
            builder.Append('"');
            int runStart = 0;
            for (int i = 0; i < value.Length; i++)
            {
                char c = value[i];
                string? escape = null;
                switch (c)
                {
                    case '"': escape = "\\\""; break;
                    case '\\': escape = "\\\\"; break;
                    case '\n': escape = "\\n"; break;
                    case '\r': escape = "\\r"; break;
                    case '\t': escape = "\\t"; break;
                    case '\b': escape = "\\b"; break;
                    case '\f': escape = "\\f"; break;
                    default:
                        if (c < 0x20 || c == '\u2028' || c == '\u2029' || IsLoneSurrogate(value, i))
                        {
                            escape = "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture);
                        }

                        break;
                }

                if (escape != null)
                {
                    builder.Append(value, runStart, i - runStart);
                    builder.Append(escape);
                    runStart = i + 1;
                }
            }

            builder.Append(value, runStart, value.Length - runStart);
            builder.Append('"');
        }

        private static bool IsLoneSurrogate(string s, int i)
        {
            char c = s[i];
            if (char.IsHighSurrogate(c))
            {
                return i + 1 >= s.Length || !char.IsLowSurrogate(s[i + 1]);
            }

            if (char.IsLowSurrogate(c))
            {
                return i == 0 || !char.IsHighSurrogate(s[i - 1]);
            }

            return false;
        }

        private static void WriteNode(JsonNode node, StringBuilder sb, bool indented, int depth)
        {
            switch (node)
            {
                case JsonObject obj:
                    if (obj.Count == 0)
                    {
                        sb.Append("{}");
                        return;
                    }

                    sb.Append('{');
                    for (int i = 0; i < obj.Properties.Count; i++)
                    {
                        if (i > 0)
                        {
                            sb.Append(',');
                        }

                        NewLine(sb, indented, depth + 1);
                        JsonProperty p = obj.Properties[i];
                        WriteString(p.Name, sb);
                        sb.Append(indented ? ": " : ":");
                        WriteNode(p.Value, sb, indented, depth + 1);
                    }

                    NewLine(sb, indented, depth);
                    sb.Append('}');
                    return;

                case JsonArray arr:
                    if (arr.Count == 0)
                    {
                        sb.Append("[]");
                        return;
                    }

                    sb.Append('[');
                    for (int i = 0; i < arr.Count; i++)
                    {
                        if (i > 0)
                        {
                            sb.Append(',');
                        }

                        NewLine(sb, indented, depth + 1);
                        WriteNode(arr[i], sb, indented, depth + 1);
                    }

                    NewLine(sb, indented, depth);
                    sb.Append(']');
                    return;

                case JsonString str:
                    WriteString(str.Value, sb);
                    return;

                case JsonNumber num:
                    sb.Append(num.RawText);
                    return;

                case JsonBoolean b:
                    sb.Append(b.RawText);
                    return;

                case JsonNull _:
                    sb.Append("null");
                    return;

                default:
                    throw new ArgumentException("Unknown JSON node type " + node.GetType().Name + ".", nameof(node));
            }
        }

        private static void NewLine(StringBuilder sb, bool indented, int depth)
        {
            if (!indented)
            {
                return;
            }

            sb.Append('\n');
            for (int i = 0; i < depth; i++)
            {
                sb.Append(Indent);
            }
        }
    }
}
