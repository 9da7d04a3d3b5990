using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using BackupIam.Engine.Policies;
using BackupIam.Engine.Simulation;
using static BackupIam.Engine.Lint.LintShared;

namespace BackupIam.Engine.Lint.Rules
{
    /// <summary>Actions that are not S3 actions, with the likely intended one (UnknownAction).</summary>
    internal sealed class UnknownActionRule : IStatementLintRule
    {
        public bool AppliesTo(LintContext context, PolicyStatement statement) => true;

        public void Check(LintContext context, PolicyStatement statement, int index) => CheckActions(context.Findings, statement, index, context.Catalog);

        private static readonly Dictionary<string, string> KnownMistakes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["s3:HeadBucket"] = "Remove \"s3:HeadBucket\": it is not an IAM action. HeadBucket is authorized by \"s3:ListBucket\" on the bucket ARN (arn:aws:s3:::bucket).",
            ["s3:HeadObject"] = "Remove \"s3:HeadObject\": it is not an IAM action. HeadObject is authorized by \"s3:GetObject\" on the object ARN (arn:aws:s3:::bucket/*).",
            ["s3:PutObjectAclVersion"] = "Replace \"s3:PutObjectAclVersion\" with \"s3:PutObjectVersionAcl\" (the real action name), or drop it if the client does not set ACLs on object versions.",
            ["s3:GetObjectAclVersion"] = "Replace \"s3:GetObjectAclVersion\" with \"s3:GetObjectVersionAcl\".",
            ["s3:ListObjects"] = "Replace with \"s3:ListBucket\" on the bucket ARN: ListObjects and ListObjectsV2 are authorized by s3:ListBucket.",
            ["s3:ListObjectsV2"] = "Replace with \"s3:ListBucket\" on the bucket ARN: ListObjectsV2 is authorized by s3:ListBucket.",
            ["s3:ListObjectVersions"] = "Replace with \"s3:ListBucketVersions\" on the bucket ARN.",
            ["s3:DeleteObjects"] = "Replace with \"s3:DeleteObject\": the multi-object delete API is authorized per object by s3:DeleteObject.",
            ["s3:CopyObject"] = "Replace with \"s3:GetObject\" on the source and \"s3:PutObject\" on the destination: CopyObject has no action of its own.",
            ["s3:CreateMultipartUpload"] = "Replace with \"s3:PutObject\": multipart uploads are authorized by s3:PutObject.",
            ["s3:UploadPart"] = "Replace with \"s3:PutObject\": UploadPart is authorized by s3:PutObject.",
            ["s3:UploadPartCopy"] = "Replace with \"s3:PutObject\" (and s3:GetObject on the source).",
            ["s3:CompleteMultipartUpload"] = "Replace with \"s3:PutObject\": CompleteMultipartUpload is authorized by s3:PutObject.",
            ["s3:ListParts"] = "Replace with \"s3:ListMultipartUploadParts\".",
            ["s3:ListMultipartUploads"] = "Replace with \"s3:ListBucketMultipartUploads\" on the bucket ARN.",
            ["s3:ListBuckets"] = "Replace with \"s3:ListAllMyBuckets\" on \"*\".",
            ["s3:GetBucketVersions"] = "Replace with \"s3:ListBucketVersions\".",
            ["s3:PutBucketLifecycle"] = "Replace with \"s3:PutLifecycleConfiguration\".",
            ["s3:PutBucketLifecycleConfiguration"] = "Replace with \"s3:PutLifecycleConfiguration\".",
            ["s3:GetBucketLifecycleConfiguration"] = "Replace with \"s3:GetLifecycleConfiguration\".",
            ["s3:DeleteBucketLifecycle"] = "Replace with \"s3:PutLifecycleConfiguration\": deleting a lifecycle configuration is authorized by it.",
            ["s3:PutBucketEncryption"] = "Replace with \"s3:PutEncryptionConfiguration\".",
            ["s3:GetBucketEncryption"] = "Replace with \"s3:GetEncryptionConfiguration\".",
            ["s3:PutBucketReplication"] = "Replace with \"s3:PutReplicationConfiguration\".",
            ["s3:GetBucketReplication"] = "Replace with \"s3:GetReplicationConfiguration\".",
            ["s3:DeleteBucketOwnershipControls"] = "Replace with \"s3:PutBucketOwnershipControls\": deleting ownership controls is authorized by it.",
            ["s3:PutObjectLockConfiguration"] = "Replace with \"s3:PutBucketObjectLockConfiguration\".",
            ["s3:GetObjectLockConfiguration"] = "Replace with \"s3:GetBucketObjectLockConfiguration\".",
        };

        private static void CheckActions(List<PolicyFinding> findings, PolicyStatement st, int i, S3ActionCatalog catalog)
        {
            foreach (string action in st.Actions)
            {
                if (action == null || !IsS3Action(action))
                {
                    continue;
                }

                if (HasWildcard(action))
                {
                    if (catalog.Match(action).Count == 0)
                    {
                        findings.Add(new PolicyFinding(
                            FindingSeverity.Error,
                            FindingIds.UnknownAction,
                            i,
                            st.Sid,
                            action,
                            "The pattern \"" + action + "\" matches no S3 action, so it grants nothing.",
                            "Fix the pattern so that it matches the intended actions (for example \"s3:GetObject*\" or \"s3:List*\"), or remove it."));
                    }

                    continue;
                }

                if (catalog.TryGet(action, out _))
                {
                    continue;
                }

                findings.Add(new PolicyFinding(
                    FindingSeverity.Error,
                    FindingIds.UnknownAction,
                    i,
                    st.Sid,
                    action,
                    "\"" + action + "\" is not an S3 action, so it grants nothing" + (st.Effect == PolicyEffect.Deny ? " and denies nothing." : ".") ,
                    FixForUnknown(action, catalog)));
            }
        }

        private static string FixForUnknown(string action, S3ActionCatalog catalog)
        {
            if (KnownMistakes.TryGetValue(action, out string? known))
            {
                return known;
            }

            // Two actions run together when a comma or quote was lost: "s3:AbortMultipartUploads3:ListMultipartUploadParts".
            if (action.IndexOf("s3:", 3, StringComparison.OrdinalIgnoreCase) > 0)
            {
                var parts = new List<string>();
                int start = 0;
                while (start < action.Length)
                {
                    int next = action.IndexOf("s3:", start + 3, StringComparison.OrdinalIgnoreCase);
                    int end = next < 0 ? action.Length : next;
                    parts.Add(action.Substring(start, end - start));
                    start = end;
                }

                var sb = new StringBuilder("Split it into separate entries of the Action list: ");
                for (int k = 0; k < parts.Count; k++)
                {
                    if (k > 0)
                    {
                        sb.Append(", ");
                    }

                    string part = parts[k];
                    sb.Append('"').Append(catalog.TryGet(part, out S3ActionInfo info) ? info.Name : part).Append('"');
                }

                sb.Append(" (a comma or quote is missing between them).");
                return sb.ToString();
            }

            string? closest = Closest(action, catalog);
            return closest != null
                ? "Did you mean \"" + closest + "\"? Replace the entry with the correct action name from the Service Authorization Reference."
                : "Replace it with an action from the Service Authorization Reference for Amazon S3, or remove it.";
        }

        private static string? Closest(string action, S3ActionCatalog catalog) => catalog.FindClosest(action);
    }
}
