using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Policies;

namespace BackupIam.Abstractions
{
    /// <summary>
    /// The policy text a Set-*Policy cmdlet got from -PolicyDocument (whole text, or lines as Get-Content sends them)
    /// or from -Path. Lines are joined with the engine's <see cref="PolicyLineCollector"/>, as Test-BackupPolicy joins
    /// them; a file is read with <see cref="PolicySource.FromFile"/>. Text that is a file path rather than JSON is refused
    /// with the idiom to use, before the JSON parser would report "Unexpected '.'".
    /// </summary>
    internal static class PolicyDocumentText
    {
        /// <summary>ErrorId for -PolicyDocument given a file path.</summary>
        public const string LooksLikePathErrorId = "PolicyDocumentLooksLikePath";

        /// <summary>ErrorId for -PolicyDocument lines that hold more than one document.</summary>
        public const string SeveralDocumentsErrorId = "PolicyDocumentNotSingle";

        /// <summary>Joins -PolicyDocument's lines into one document.</summary>
        /// <exception cref="InputValidationException">A file path was given, or the lines hold several documents.</exception>
        public static string FromLines(string[] lines, string parameterName)
        {
            var collector = new PolicyLineCollector();
            var documents = new List<string>();
            // One string comes back from the collector as given, so positions in errors stay those of the caller's text.
            foreach (string line in lines ?? new string[0])
            {
                string? whole = collector.Add(line ?? string.Empty);
                if (whole != null)
                {
                    documents.Add(whole);
                }
            }

            string? rest = collector.Flush();
            if (rest != null)
            {
                documents.Add(rest);
            }

            if (documents.Count > 1)
            {
                throw new InputValidationException(
                    SeveralDocumentsErrorId, parameterName,
                    $"-{parameterName} holds {documents.Count} policy documents; give one (one Set-* call per policy, or pipe BackupPolicy objects).");
            }

            string text = documents.Count == 0 ? string.Join("\n", lines ?? new string[0]) : documents[0];
            if (LooksLikePath(text))
            {
                string path = text.Trim();
                throw new InputValidationException(
                    LooksLikePathErrorId, parameterName,
                    $"-{parameterName} got '{path}', which looks like a file path, not policy JSON; use -Path {Quote(path)} or "
                    + $"-{parameterName} (Get-Content -Raw {Quote(path)}).")
                {
                    Target = path,
                };
            }

            return text;
        }

        /// <summary>Reads one policy file (already resolved to a provider path).</summary>
        public static ParsedPolicy FromFile(string path, string parameterName) => PolicySource.FromFile(path, parameterName);

        /// <summary>
        /// True for one line of text that is not JSON and reads as a path: it ends in .json, starts with ./ ../ ~ or a
        /// drive, or holds a path separator and no JSON punctuation.
        /// </summary>
        public static bool LooksLikePath(string text)
        {
            string trimmed = (text ?? string.Empty).Trim().Trim('"', '\'');
            if (trimmed.Length == 0 || trimmed.IndexOf('\n') >= 0 || PolicySource.LooksLikeDocument(trimmed) || trimmed.StartsWith("[", StringComparison.Ordinal))
            {
                return false;
            }

            if (trimmed.IndexOfAny(new[] { '{', '}', ':' }) >= 0 && !(trimmed.Length > 2 && trimmed[1] == ':' && char.IsLetter(trimmed[0])))
            {
                return false;
            }

            return trimmed.EndsWith(".json", StringComparison.OrdinalIgnoreCase)
                || trimmed.EndsWith(".txt", StringComparison.OrdinalIgnoreCase)
                || trimmed.StartsWith("./", StringComparison.Ordinal) || trimmed.StartsWith(".\\", StringComparison.Ordinal)
                || trimmed.StartsWith("../", StringComparison.Ordinal) || trimmed.StartsWith("..\\", StringComparison.Ordinal)
                || trimmed.StartsWith("~", StringComparison.Ordinal)
                || trimmed.IndexOfAny(new[] { '/', '\\' }) >= 0
                || File.Exists(trimmed);
        }

        private static string Quote(string path) => path.Any(char.IsWhiteSpace) ? "'" + path.Replace("'", "''") + "'" : path;
    }
}
