using BackupIam.Engine.Errors;

namespace BackupIam.Engine.Json
{
    /// <summary>
    /// The text is not valid JSON. <see cref="Line"/> and <see cref="Column"/> (1-based) point at the offending
    /// character and <see cref="Expected"/> says what the reader wanted there. ErrorId is <c>JsonMalformed</c>.
    /// </summary>
    public sealed class JsonFormatException : BackupIamException
    {
        public const string DefaultErrorId = "JsonMalformed";

        public JsonFormatException(string message, int line, int column, string expected)
            : base(DefaultErrorId, FailureKind.InvalidData, message)
        {
            Line = line;
            Column = column;
            Expected = expected;
        }

        /// <summary>1-based line of the error.</summary>
        public int Line { get; }

        /// <summary>1-based column (UTF-16 characters) of the error.</summary>
        public int Column { get; }

        /// <summary>What the reader expected at that position, e.g. "',' or '}'".</summary>
        public string Expected { get; }
    }
}
