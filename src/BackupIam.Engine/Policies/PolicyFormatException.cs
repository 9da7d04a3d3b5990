using System;
using BackupIam.Engine.Errors;

namespace BackupIam.Engine.Policies
{
    /// <summary>
    /// A policy document could not be read. ErrorId is <see cref="MalformedJsonErrorId"/> when the text is not JSON
    /// (see <see cref="Line"/>/<see cref="Column"/>) or <see cref="GrammarInvalidErrorId"/> when it is JSON but
    /// breaks the IAM policy grammar; the message then names the statement (index and Sid) and the field.
    /// </summary>
    public sealed class PolicyFormatException : BackupIamException
    {
        /// <summary>ErrorId for text that is not valid JSON.</summary>
        public const string MalformedJsonErrorId = "PolicyJsonMalformed";

        /// <summary>ErrorId for JSON that breaks the IAM policy grammar.</summary>
        public const string GrammarInvalidErrorId = "PolicyGrammarInvalid";

        public PolicyFormatException(
            string errorId,
            string message,
            int? statementIndex = null,
            string? sid = null,
            string? field = null,
            int? line = null,
            int? column = null,
            Exception? inner = null)
            : base(errorId, FailureKind.InvalidData, message, inner)
        {
            StatementIndex = statementIndex;
            Sid = sid;
            Field = field;
            Line = line;
            Column = column;
        }

        /// <summary>0-based index of the statement at fault (as in <c>Statement[1]</c>), or null for document-level errors.</summary>
        public int? StatementIndex { get; }

        /// <summary>The Sid of the statement at fault, when it has one.</summary>
        public string? Sid { get; }

        /// <summary>The policy element at fault, e.g. <c>Effect</c>, <c>Condition</c>, <c>Version</c>.</summary>
        public string? Field { get; }

        /// <summary>1-based line in the source text, when known.</summary>
        public int? Line { get; }

        /// <summary>1-based column in the source text, when known.</summary>
        public int? Column { get; }
    }
}
