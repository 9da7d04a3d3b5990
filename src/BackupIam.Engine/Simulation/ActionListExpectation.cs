using System;
using System.Collections.Generic;
using System.Linq;

namespace BackupIam.Engine.Simulation
{
    /// <summary>Compares an access matrix with a list of actions that are expected to be allowed (at the action level).</summary>
    public static class ActionListExpectation
    {
        /// <summary>
        /// Every action allowed somewhere in <paramref name="matrix"/> but not in <paramref name="expectedActions"/> is a
        /// difference (one per allowed entry); every expected action allowed nowhere is a difference too. Action names
        /// compare case-insensitively; an "s3:" prefix is added to names without a service prefix.
        /// </summary>
        public static IReadOnlyList<MatrixDifference> Compare(AccessMatrix matrix, IEnumerable<string> expectedActions)
        {
            var expected = new HashSet<string>(
                expectedActions.Select(a => a.Trim()).Where(a => a.Length > 0).Select(a => a.Contains(":") ? a : "s3:" + a),
                StringComparer.OrdinalIgnoreCase);
            var differences = new List<MatrixDifference>();
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (IGrouping<string, AccessMatrixEntry> byAction in matrix.Entries.GroupBy(e => e.Action, StringComparer.OrdinalIgnoreCase))
            {
                seen.Add(byAction.Key);
                bool isExpected = expected.Contains(byAction.Key);
                List<AccessMatrixEntry> allowed = byAction.Where(e => e.Decision == Decision.Allowed).ToList();
                if (allowed.Count > 0 && !isExpected)
                {
                    foreach (AccessMatrixEntry entry in allowed)
                    {
                        differences.Add(new MatrixDifference(entry.Action, entry.ResourceKind, entry.ContextDescription, entry.Decision, false,
                            $"{entry.Action} is allowed on {entry.Resource}{Describe(entry.ContextDescription)} but is not in the expected list."));
                    }
                }
                else if (allowed.Count == 0 && isExpected)
                {
                    AccessMatrixEntry first = byAction.First();
                    differences.Add(new MatrixDifference(first.Action, first.ResourceKind, first.ContextDescription, first.Decision, true,
                        $"{first.Action} is expected to be allowed but is denied on every resource tested."));
                }
            }

            foreach (string action in expected.Where(a => !seen.Contains(a)).OrderBy(a => a, StringComparer.Ordinal))
            {
                differences.Add(new MatrixDifference(action, string.Empty, null, Decision.ImplicitDeny, true,
                    $"{action} is expected to be allowed but is not an action of the S3 catalogue."));
            }

            return differences;
        }

        private static string Describe(string? context) => string.IsNullOrEmpty(context) ? string.Empty : " (" + context + ")";
    }
}
