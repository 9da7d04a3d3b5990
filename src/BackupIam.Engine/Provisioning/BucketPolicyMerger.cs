using System;
using System.Collections.Generic;
using System.Linq;
using BackupIam.Engine.Policies;

namespace BackupIam.Engine.Provisioning
{
    /// <summary>The outcome of merging statements into a bucket policy.</summary>
    public sealed class BucketPolicyMerge
    {
        internal BucketPolicyMerge(PolicyDocument result, bool changed, IReadOnlyList<string> added, IReadOnlyList<string> replaced, IReadOnlyList<string> kept)
        {
            Result = result;
            Changed = changed;
            Added = added;
            Replaced = replaced;
            Kept = kept;
        }

        public PolicyDocument Result { get; }

        /// <summary>False when the merged policy equals the existing one (nothing to write).</summary>
        public bool Changed { get; }

        /// <summary>Statements added (their Sid, or "Statement[i]").</summary>
        public IReadOnlyList<string> Added { get; }

        /// <summary>Sids whose statements were replaced with a different one.</summary>
        public IReadOnlyList<string> Replaced { get; }

        /// <summary>Statements of the existing policy that were kept untouched.</summary>
        public IReadOnlyList<string> Kept { get; }
    }

    /// <summary>
    /// Merges statements into an existing bucket policy by Sid: a desired statement replaces the existing statement with
    /// the same Sid; a statement without a Sid is added unless an identical one is there; every other existing statement
    /// is kept. Nothing is ever dropped silently. With replace, the desired policy is the result.
    /// </summary>
    public static class BucketPolicyMerger
    {
        public static BucketPolicyMerge Merge(PolicyDocument? existing, PolicyDocument desired, bool replace)
        {
            var added = new List<string>();
            var replaced = new List<string>();
            var kept = new List<string>();
            if (existing == null || replace)
            {
                bool changed = existing == null || Canonical(existing) != Canonical(desired);
                if (!changed)
                {
                    kept.AddRange(existing!.Statements.Select(Label));
                    return new BucketPolicyMerge(existing, false, added, replaced, kept);
                }

                if (existing != null)
                {
                    replaced.AddRange(existing.Statements.Select(Label));
                }

                added.AddRange(desired.Statements.Select(Label));
                return new BucketPolicyMerge(desired, changed, added, replaced, kept);
            }

            // A 2008-10-17 policy reads ${...} as literal text; moving its statements to 2012-10-17 would silently
            // turn such text into policy variables. Keep the old version unless the new statements need variables.
            bool keepLegacy = existing.Version == PolicyJson.LegacyVersion && !UsesVariables(desired);
            var result = new PolicyDocument { Version = keepLegacy ? PolicyJson.LegacyVersion : PolicyDocument.CurrentVersion, Id = existing.Id ?? desired.Id };
            result.Statements.AddRange(existing.Statements);
            foreach (PolicyStatement statement in desired.Statements)
            {
                int index = string.IsNullOrEmpty(statement.Sid)
                    ? -1
                    : result.Statements.FindIndex(s => string.Equals(s.Sid, statement.Sid, StringComparison.Ordinal));
                if (index >= 0)
                {
                    if (CanonicalStatement(result.Statements[index]) != CanonicalStatement(statement))
                    {
                        replaced.Add(statement.Sid!);
                    }

                    result.Statements[index] = statement;
                }
                else if (!result.Statements.Any(s => CanonicalStatement(s) == CanonicalStatement(statement)))
                {
                    result.Statements.Add(statement);
                    added.Add(Label(statement));
                }
            }

            foreach (PolicyStatement statement in existing.Statements)
            {
                if (!desired.Statements.Any(d => !string.IsNullOrEmpty(d.Sid) && d.Sid == statement.Sid))
                {
                    kept.Add(Label(statement));
                }
            }

            return new BucketPolicyMerge(result, Canonical(result) != Canonical(existing), added, replaced, kept);
        }

        private static string Label(PolicyStatement statement) => string.IsNullOrEmpty(statement.Sid) ? "(no Sid)" : statement.Sid!;

        private static string Canonical(PolicyDocument document) => PolicyJson.ToJson(document, indented: false);

        private static bool UsesVariables(PolicyDocument document) =>
            PolicyJson.ToJson(document, indented: false).IndexOf("${", StringComparison.Ordinal) >= 0;

        private static string CanonicalStatement(PolicyStatement statement)
        {
            var wrapper = new PolicyDocument();
            wrapper.Statements.Add(statement);
            return PolicyJson.ToJson(wrapper, indented: false);
        }
    }
}
