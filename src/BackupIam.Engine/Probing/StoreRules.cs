using System;
using System.Collections.Generic;
using System.Text.RegularExpressions;
using BackupIam.Engine.Simulation;

namespace BackupIam.Engine.Probing
{
    /// <summary>
    /// Where a store is known to answer differently from AWS (observed on Ceph RGW 16.2, see the repository's RGW
    /// reference), and how the store is recognised.
    /// </summary>
    public static class StoreRules
    {
        /// <summary>Actions RGW grants the writer of an object through its ACL (FULL_CONTROL), whatever the policies say, unless a Deny applies.</summary>
        internal static readonly HashSet<string> OwnerRightsActions = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectAcl", "s3:PutObjectAcl",
        };

        // RGW request ids: tx00000f01caf61160d1d77-006b057811-1008-default (transaction, time, instance, zone group).
        private static readonly Regex RgwRequestId = new Regex(@"^tx[0-9a-f]{21}-[0-9a-f]{8,}-[0-9a-f]+-[A-Za-z0-9_.-]+$", RegexOptions.CultureInvariant);

        /// <summary>True when an <c>x-amz-request-id</c> has Ceph RGW's form.</summary>
        public static bool LooksLikeRgwRequestId(string? requestId) => requestId != null && RgwRequestId.IsMatch(requestId);

        /// <summary>Parses a store name: Aws, CephRgw (also Ceph, Rgw).</summary>
        public static StoreKind? Parse(string? name)
        {
            switch ((name ?? string.Empty).Trim().ToLowerInvariant())
            {
                case "aws":
                case "s3":
                    return StoreKind.Aws;
                case "cephrgw":
                case "ceph":
                case "rgw":
                    return StoreKind.CephRgw;
                default:
                    return null;
            }
        }

        /// <summary>The condition context RGW 16 evaluates: an empty s3:prefix and aws:SecureTransport are absent there.</summary>
        internal static Dictionary<string, IReadOnlyList<string>> RgwContext(Dictionary<string, IReadOnlyList<string>> context)
        {
            bool emptyPrefix = context.TryGetValue("s3:prefix", out IReadOnlyList<string>? prefix) && prefix.Count == 1 && prefix[0].Length == 0;
            bool secure = context.ContainsKey("aws:SecureTransport");
            if (!emptyPrefix && !secure)
            {
                return context;
            }

            var copy = new Dictionary<string, IReadOnlyList<string>>(context, StringComparer.OrdinalIgnoreCase);
            if (emptyPrefix)
            {
                copy.Remove("s3:prefix");
            }

            copy.Remove("aws:SecureTransport");
            return copy;
        }

        /// <summary>
        /// RGW's rights that no policy shows: the writer's ACL on its objects, every user's own buckets and bucket list.
        /// Adjusts <paramref name="verdict"/> and returns the note that explains it, or null.
        /// </summary>
        internal static string? ApplyRgwDefaults(ProbeRequestFacts facts, Decision decision, ref ProbeVerdict verdict)
        {
            if (decision != Decision.ImplicitDeny)
            {
                return null;
            }

            string action = facts.Definition.Action;
            if (facts.KeyWroteObject && OwnerRightsActions.Contains(action))
            {
                verdict = ProbeVerdict.Allowed;
                return "RGW gives the writer of an object FULL_CONTROL of it: the key may " + (action == "s3:PutObjectAcl" ? "change the ACL of (even make public)" : "read")
                    + " what it wrote although no statement allows " + action + "; an explicit Deny stops it (AWS: denied)";
            }

            if (string.Equals(action, "s3:CreateBucket", StringComparison.OrdinalIgnoreCase))
            {
                verdict = ProbeVerdict.AllowedOrDenied;
                return "any RGW user may create buckets of its own unless 'radosgw-admin user modify --uid NAME --max-buckets=-1' or an explicit Deny of s3:CreateBucket stops it (AWS: denied)";
            }

            if (string.Equals(action, "s3:ListAllMyBuckets", StringComparison.OrdinalIgnoreCase))
            {
                verdict = ProbeVerdict.Allowed;
                return "RGW lets every user list the buckets it owns without s3:ListAllMyBuckets (AWS: denied)";
            }

            return null;
        }
    }
}
