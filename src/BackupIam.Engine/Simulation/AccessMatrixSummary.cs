using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace BackupIam.Engine.Simulation
{
    /// <summary>
    /// One row of the compact pivot of an access matrix: an action group (List, Read, Write, Delete, Permissions, Tagging)
    /// and, per resource kind, how many of the group's actions are allowed out of those probed there.
    /// </summary>
    public sealed class AccessSummaryRow
    {
        internal AccessSummaryRow(string group, IReadOnlyDictionary<string, string> cells, IReadOnlyList<string> allowedActions)
        {
            Group = group;
            Cells = cells;
            AllowedActions = allowedActions;
        }

        /// <summary>The action group.</summary>
        public string Group { get; }

        /// <summary>Per <see cref="ResourceKinds"/> name: "allowed/probed" (e.g. "2/40"), or "-" when no action of the group is probed there.</summary>
        public IReadOnlyDictionary<string, string> Cells { get; }

        /// <summary>The group's actions allowed on any resource, in matrix order.</summary>
        public IReadOnlyList<string> AllowedActions { get; }
    }

    /// <summary>Pivots an access matrix into one row per action group and a column per resource kind.</summary>
    public static class AccessMatrixSummary
    {
        /// <summary>The groups in the order rows are made.</summary>
        public static readonly IReadOnlyList<string> Groups = new[] { "List", "Read", "Write", "Delete", "Permissions", "Tagging" };

        /// <summary>The resource kinds in the order columns are made.</summary>
        public static readonly IReadOnlyList<string> Kinds = new[]
        {
            ResourceKinds.Bucket, ResourceKinds.ObjectInPrefix, ResourceKinds.ObjectOutsidePrefix, ResourceKinds.ListContext,
            ResourceKinds.OtherBucket, ResourceKinds.OtherBucketObject, ResourceKinds.AllResources,
        };

        /// <summary>The group of an action: its access level in the catalogue, with Delete* and AbortMultipartUpload apart from Write.</summary>
        public static string GroupOf(string action)
        {
            string name = action.StartsWith("s3:", StringComparison.OrdinalIgnoreCase) ? action.Substring(3) : action;
            if (name.StartsWith("Delete", StringComparison.OrdinalIgnoreCase) || name.Equals("AbortMultipartUpload", StringComparison.OrdinalIgnoreCase))
            {
                return "Delete";
            }

            string level = S3ActionCatalog.Default.TryGet(action, out S3ActionInfo info) ? info.AccessLevel : "Write";
            switch (level)
            {
                case "Permissions management":
                    return "Permissions";
                case "List":
                case "Read":
                case "Tagging":
                    return level;
                default:
                    return "Write";
            }
        }

        /// <summary>One row per group that has any probed action, in <see cref="Groups"/> order.</summary>
        public static IReadOnlyList<AccessSummaryRow> Summarize(IEnumerable<AccessMatrixEntry> entries)
        {
            var byGroup = entries.GroupBy(e => GroupOf(e.Action)).ToDictionary(g => g.Key, g => g.ToList());
            var rows = new List<AccessSummaryRow>();
            foreach (string group in Groups)
            {
                if (!byGroup.TryGetValue(group, out List<AccessMatrixEntry>? list))
                {
                    continue;
                }

                var cells = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (string kind in Kinds)
                {
                    var probed = list.Where(e => e.ResourceKind == kind).GroupBy(e => e.Action, StringComparer.Ordinal).ToList();
                    cells[kind] = probed.Count == 0
                        ? "-"
                        : string.Format(CultureInfo.InvariantCulture, "{0}/{1}", probed.Count(g => g.Any(e => e.Decision == Decision.Allowed)), probed.Count);
                }

                string[] allowed = list.Where(e => e.Decision == Decision.Allowed).Select(e => e.Action).Distinct(StringComparer.Ordinal).ToArray();
                rows.Add(new AccessSummaryRow(group, cells, allowed));
            }

            return rows;
        }
    }
}
