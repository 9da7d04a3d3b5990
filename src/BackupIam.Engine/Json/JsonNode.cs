using System;
using System.Collections;
using System.Collections.Generic;

namespace BackupIam.Engine.Json
{
    /// <summary>The kind of a <see cref="JsonNode"/>.</summary>
    public enum JsonKind
    {
        Object,
        Array,
        String,
        Number,
        Boolean,
        Null,
    }

    /// <summary>
    /// A JSON value. Nodes produced by <see cref="JsonReader"/> carry the 1-based line and column where they
    /// start; nodes built in code have Line and Column 0.
    /// </summary>
    public abstract class JsonNode
    {
        private protected JsonNode(int line, int column)
        {
            Line = line;
            Column = column;
        }

        /// <summary>The kind of value.</summary>
        public abstract JsonKind Kind { get; }

        /// <summary>1-based line of the first character of this value in the source text, or 0.</summary>
        public int Line { get; }

        /// <summary>1-based column (in UTF-16 characters) of the first character of this value, or 0.</summary>
        public int Column { get; }

        /// <summary>A short word for the kind, for error messages ("an object", "a string", ...).</summary>
        public string KindDescription
        {
            get
            {
                switch (Kind)
                {
                    case JsonKind.Object: return "an object";
                    case JsonKind.Array: return "an array";
                    case JsonKind.String: return "a string";
                    case JsonKind.Number: return "a number";
                    case JsonKind.Boolean: return "a boolean";
                    default: return "null";
                }
            }
        }

        /// <summary>The compact JSON text of this value.</summary>
        public override string ToString() => JsonWriter.Write(this, indented: false);
    }

    /// <summary>One member of a <see cref="JsonObject"/>: its name, value and the position of the name.</summary>
    public sealed class JsonProperty
    {
        public JsonProperty(string name, JsonNode value, int line = 0, int column = 0)
        {
            Name = name ?? throw new ArgumentNullException(nameof(name));
            Value = value ?? throw new ArgumentNullException(nameof(value));
            Line = line;
            Column = column;
        }

        public string Name { get; }

        public JsonNode Value { get; }

        /// <summary>1-based line of the member name in the source text, or 0.</summary>
        public int Line { get; }

        /// <summary>1-based column of the member name in the source text, or 0.</summary>
        public int Column { get; }
    }

    /// <summary>A JSON object. Members keep the order in which they were read or added; duplicate names are kept as read.</summary>
    public sealed class JsonObject : JsonNode, IEnumerable<JsonProperty>
    {
        private readonly List<JsonProperty> _properties = new List<JsonProperty>();

        public JsonObject()
            : base(0, 0)
        {
        }

        public JsonObject(int line, int column)
            : base(line, column)
        {
        }

        public override JsonKind Kind => JsonKind.Object;

        /// <summary>The members in order.</summary>
        public IReadOnlyList<JsonProperty> Properties => _properties;

        public int Count => _properties.Count;

        /// <summary>The value of the first member with this exact (case-sensitive) name, or null.</summary>
        public JsonNode? this[string name] => TryGetValue(name, out JsonNode? value) ? value : null;

        /// <summary>Appends a member and returns this object, so calls can be chained.</summary>
        public JsonObject Add(string name, JsonNode value)
        {
            _properties.Add(new JsonProperty(name, value));
            return this;
        }

        /// <summary>Appends a string member.</summary>
        public JsonObject Add(string name, string value) => Add(name, new JsonString(value));

        /// <summary>Appends an already built member.</summary>
        public void Add(JsonProperty property)
        {
            _properties.Add(property ?? throw new ArgumentNullException(nameof(property)));
        }

        /// <summary>Finds the first member with this exact (case-sensitive) name.</summary>
        public bool TryGetValue(string name, out JsonNode? value)
        {
            foreach (JsonProperty p in _properties)
            {
                if (string.Equals(p.Name, name, StringComparison.Ordinal))
                {
                    value = p.Value;
                    return true;
                }
            }

            value = null;
            return false;
        }

        public IEnumerator<JsonProperty> GetEnumerator() => _properties.GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>A JSON array.</summary>
    public sealed class JsonArray : JsonNode, IEnumerable<JsonNode>
    {
        private readonly List<JsonNode> _items = new List<JsonNode>();

        public JsonArray()
            : base(0, 0)
        {
        }

        public JsonArray(int line, int column)
            : base(line, column)
        {
        }

        public override JsonKind Kind => JsonKind.Array;

        public IReadOnlyList<JsonNode> Items => _items;

        public int Count => _items.Count;

        public JsonNode this[int index] => _items[index];

        /// <summary>Appends an item and returns this array.</summary>
        public JsonArray Add(JsonNode item)
        {
            _items.Add(item ?? throw new ArgumentNullException(nameof(item)));
            return this;
        }

        /// <summary>Appends a string item and returns this array.</summary>
        public JsonArray Add(string item) => Add(new JsonString(item));

        public IEnumerator<JsonNode> GetEnumerator() => _items.GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>A JSON string (unescaped value).</summary>
    public sealed class JsonString : JsonNode
    {
        public JsonString(string value, int line = 0, int column = 0)
            : base(line, column)
        {
            Value = value ?? throw new ArgumentNullException(nameof(value));
        }

        public override JsonKind Kind => JsonKind.String;

        public string Value { get; }
    }

    /// <summary>A JSON number, kept exactly as written (no conversion, no precision loss).</summary>
    public sealed class JsonNumber : JsonNode
    {
        /// <summary>Creates a number from its JSON text, e.g. "42", "-1.5e3".</summary>
        /// <exception cref="ArgumentException">The text is not a JSON number.</exception>
        public JsonNumber(string rawText, int line = 0, int column = 0)
            : base(line, column)
        {
            if (rawText == null)
            {
                throw new ArgumentNullException(nameof(rawText));
            }

            if (JsonReader.ScanNumber(rawText, 0) != rawText.Length)
            {
                throw new ArgumentException("'" + rawText + "' is not a JSON number (for example 42 or -1.5e3).", nameof(rawText));
            }

            RawText = rawText;
        }

        internal JsonNumber(string rawText, int line, int column, bool validated)
            : base(line, column)
        {
            RawText = validated ? rawText : throw new ArgumentException("Unvalidated number text.", nameof(rawText));
        }

        public override JsonKind Kind => JsonKind.Number;

        /// <summary>The number as written in the JSON text.</summary>
        public string RawText { get; }
    }

    /// <summary>JSON true or false.</summary>
    public sealed class JsonBoolean : JsonNode
    {
        public JsonBoolean(bool value, int line = 0, int column = 0)
            : base(line, column)
        {
            Value = value;
        }

        public override JsonKind Kind => JsonKind.Boolean;

        public bool Value { get; }

        /// <summary>"true" or "false".</summary>
        public string RawText => Value ? "true" : "false";
    }

    /// <summary>JSON null.</summary>
    public sealed class JsonNull : JsonNode
    {
        public JsonNull(int line = 0, int column = 0)
            : base(line, column)
        {
        }

        public override JsonKind Kind => JsonKind.Null;
    }
}
