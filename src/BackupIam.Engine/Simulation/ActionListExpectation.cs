using System;
using System.Collections.Generic;
using System.Linq;

namespace BackupIam.Engine.Simulation
{
    /// <summary>Compares an access matrix with a list of actions that are expected to be allowed on the backup bucket and prefix.</summary>
    public static class ActionListExpectation
    {
        /// <summary>The resource kinds outside the bucket and prefix an allowed-action list is about.</summary>
        private static readonly HashSet<string> OutOfScopeKinds = new HashSet<string>(StringComparer.Ordinal)
        {
            ResourceKinds.OtherBucket,
            ResourceKinds.OtherBucketObject,
            ResourceKinds.ObjectOutsidePrefix,
        };

        /// <summary>
        /// Differences between <paramref name="matrix"/> and the expectation that exactly <paramref name="expectedActions"/>
        /// are allowed, and only on the backup bucket and prefix:
        /// <list type="bullet">
        /// <item>every entry allowed for an action the list does not name is a difference;</item>
        /// <item>every entry allowed for a listed action on another bucket, another bucket's object or an object outside the
        /// prefix is a difference (the expectation is about the backup bucket and prefix);</item>
        /// <item>an exact action allowed on none of the in-scope resources is a difference; a pattern such as
        /// <c>s3:*Object</c> permits every action it matches and is a difference only when none of them is allowed in scope;</item>
        /// <item>a name or pattern that matches no catalogue action is a difference.</item>
        /// </list>
        /// Names compare case-insensitively; "s3:" is added to names without a service prefix.
        /// </summary>
        public static IReadOnlyList<MatrixDifference> Compare(AccessMatrix matrix, IEnumerable<string> expectedActions) =>
            Compare(matrix, expectedActions, S3ActionCatalog.Default);

        /// <summary>As <see cref="Compare(AccessMatrix, IEnumerable{string})"/>, with a given catalogue.</summary>
        public static IReadOnlyList<MatrixDifference> Compare(AccessMatrix matrix, IEnumerable<string> expectedActions, S3ActionCatalog catalog)
        {
            if (matrix == null)
            {
                throw new ArgumentNullException(nameof(matrix));
            }

            if (expectedActions == null)
            {
                throw new ArgumentNullException(nameof(expectedActions));
            }

            if (catalog == null)
            {
                throw new ArgumentNullException(nameof(catalog));
            }

            var permitted = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var requirements = new List<(string Entry, HashSet<string> Actions, bool Pattern)>();
            var differences = new List<MatrixDifference>();
            foreach (string raw in expectedActions)
            {
                string entry = (raw ?? string.Empty).Trim();
                if (entry.Length == 0)
                {
                    continue;
                }

                if (entry != "*" && entry.IndexOf(':') < 0)
                {
                    entry = "s3:" + entry;
                }

                bool pattern = entry.IndexOf('*') >= 0 || entry.IndexOf('?') >= 0;
                var actions = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                if (pattern)
                {
                    foreach (S3ActionInfo info in catalog.Match(entry))
                    {
                        actions.Add(info.Name);
                    }
                }
                else if (catalog.TryGet(entry, out S3ActionInfo info))
                {
                    actions.Add(info.Name);
                }

                if (actions.Count == 0)
                {
                    differences.Add(new MatrixDifference(entry, string.Empty, null, Decision.ImplicitDeny, true,
                        pattern
                            ? $"{entry} is expected to be allowed but matches no action of the S3 catalogue."
                            : $"{entry} is expected to be allowed but is not an action of the S3 catalogue."));
                    continue;
                }

                permitted.UnionWith(actions);
                requirements.Add((entry, actions, pattern));
            }

            var allowedInScope = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (AccessMatrixEntry e in matrix.Entries)
            {
                if (e.Decision != Decision.Allowed)
                {
                    continue;
                }

                bool outside = OutOfScopeKinds.Contains(e.ResourceKind);
                if (!permitted.Contains(e.Action))
                {
                    differences.Add(new MatrixDifference(e.Action, e.ResourceKind, e.ContextDescription, e.Decision, false,
                        $"{e.Action} is allowed on {e.Resource}{Describe(e.ContextDescription)} but is not in the expected list."));
                }
                else if (outside)
                {
                    differences.Add(new MatrixDifference(e.Action, e.ResourceKind, e.ContextDescription, e.Decision, false,
                        $"{e.Action} is expected only on the backup bucket and prefix, but is also allowed on {e.Resource} ({e.ResourceKind}) by {e.DecidedBy}."));
                }
                else
                {
                    allowedInScope.Add(e.Action);
                }
            }

            foreach (var (entry, actions, pattern) in requirements)
            {
                if (actions.Any(allowedInScope.Contains))
                {
                    continue;
                }

                AccessMatrixEntry? first = pattern ? null : matrix.Entries.FirstOrDefault(x => string.Equals(x.Action, entry, StringComparison.OrdinalIgnoreCase) && !OutOfScopeKinds.Contains(x.ResourceKind));
                differences.Add(new MatrixDifference(
                    first?.Action ?? entry,
                    first?.ResourceKind ?? string.Empty,
                    first?.ContextDescription,
                    first?.Decision ?? Decision.ImplicitDeny,
                    true,
                    pattern
                        ? $"{entry} is expected to be allowed, but none of the {actions.Count} actions it matches is allowed on the backup bucket or prefix."
                        : $"{entry} is expected to be allowed but is denied on every resource of the backup bucket and prefix that was tested."));
            }

            return differences;
        }

        private static string Describe(string? context) => string.IsNullOrEmpty(context) ? string.Empty : " (" + context + ")";
    }
}
