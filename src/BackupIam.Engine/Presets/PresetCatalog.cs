using System;
using System.Collections.Generic;
using System.Linq;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Naming;
using BackupIam.Engine.Policies;

namespace BackupIam.Engine.Presets
{
    /// <summary>
    /// The backup policy presets, one or two per documented setup. A preset never grants more than its
    /// description says; options only add the permissions they name.
    /// </summary>
    public static class PresetCatalog
    {
        /// <summary>ErrorId for an unknown preset name.</summary>
        public const string PresetNotFoundErrorId = "PresetNotFound";

        /// <summary>ErrorId for an option or policy kind the preset does not support.</summary>
        public const string OptionNotSupportedErrorId = "PresetOptionNotSupported";

        /// <summary>ErrorId for a missing or malformed principal ARN.</summary>
        public const string PrincipalArnInvalidErrorId = "PrincipalArnInvalid";

        /// <summary>ErrorId for a preset that needs a prefix but got an empty one.</summary>
        public const string PrefixRequiredErrorId = "PrefixInvalid";

        private const string OptNoListBucket = nameof(PresetOptions.NoListBucket);
        private const string OptAllowObjectAcl = nameof(PresetOptions.AllowObjectAcl);
        private const string OptAllowMultipart = nameof(PresetOptions.AllowMultipart);
        private const string OptAllowBucketDiscovery = nameof(PresetOptions.AllowBucketDiscovery);
        private const string OptAllowCreateBucket = nameof(PresetOptions.AllowCreateBucket);

        private static readonly PresetPolicyKind[] IdentityOnly = { PresetPolicyKind.Identity };
        private static readonly PresetPolicyKind[] BothKinds = { PresetPolicyKind.Identity, PresetPolicyKind.Bucket };

        private static readonly string[] UpdraftObjectActions =
        {
            "s3:AbortMultipartUpload",
            "s3:DeleteObject",
            "s3:DeleteObjectVersion",
            "s3:GetObject",
            "s3:GetObjectAcl",
            "s3:GetObjectVersion",
            "s3:GetObjectVersionAcl",
            "s3:PutObject",
            "s3:PutObjectAcl",
            "s3:PutObjectVersionAcl",
        };

        private static readonly PresetDefinition[] Presets =
        {
            new PresetDefinition(
                "UploadOnly",
                1,
                "Upload-only group",
                "PL/SQL backup guide: IAM group MySiteBackupUsers with the inline policy UploadFilesToBackup, uploading under backup/.",
                "Allows only s3:PutObject on keys under the prefix (default backup/). The uploader cannot list, read, "
                + "overwrite-check or delete anything; it can still overwrite an existing key of the same name, so enable "
                + "bucket versioning if old backups must survive.",
                PresetPolicyKind.Identity,
                BothKinds,
                Array.Empty<string>(),
                "backup/",
                false,
                BuildUploadOnly),
            new PresetDefinition(
                "WriteOnly",
                2,
                "Write-only bucket policy",
                "Write-only bucket policy: BucketPermissions (ListBucket, GetBucketLocation) and ObjectPermissions (PutObject, PutObjectAcl).",
                "Allows s3:ListBucket and s3:GetBucketLocation on the bucket and s3:PutObject and s3:PutObjectAcl on the objects "
                + "(whole bucket, or under the prefix if one is given). It is not secret-keeping: s3:ListBucket lists every key name, "
                + "and HeadObject still reveals whether an object exists (whether a missing key answers 404 or 403 depends on s3:ListBucket). "
                + "NoListBucket drops s3:ListBucket for a true write-only policy. s3:PutObjectAcl lets the writer make its objects "
                + "public (for example with a public-read ACL) unless ACLs are disabled on the bucket (Object Ownership: bucket owner enforced).",
                PresetPolicyKind.Bucket,
                BothKinds,
                new[] { OptNoListBucket },
                string.Empty,
                false,
                BuildWriteOnly),
            new PresetDefinition(
                "ReadWriteDelete",
                3,
                "Read/write/delete group policy",
                "boto backup guide: group policy S3BackupPolicy allowing GetObject, PutObject and DeleteObject.",
                "Allows s3:GetObject, s3:PutObject and s3:DeleteObject on the objects (whole bucket, or under the prefix). "
                + "No listing. Whoever holds these credentials can delete or overwrite every backup in scope; "
                + "use versioning with a lifecycle rule if that matters.",
                PresetPolicyKind.Identity,
                BothKinds,
                Array.Empty<string>(),
                string.Empty,
                false,
                BuildReadWriteDelete),
            new PresetDefinition(
                "Rclone",
                4,
                "Prefix-scoped rclone",
                "rclone scoped to one prefix: ListBucket at the parent levels only, full object access under the prefix.",
                "Allows s3:ListBucket on the bucket only for the parent levels of the prefix (with delimiter /) and for keys under "
                + "the prefix, and s3:GetObject, s3:PutObject and s3:DeleteObject on objects under the prefix (default backups/dataset-1/). "
                + "Nothing outside the prefix can be read, written or deleted. Options: AllowObjectAcl adds s3:PutObjectAcl; "
                + "AllowMultipart adds s3:ListBucketMultipartUploads, s3:AbortMultipartUpload and s3:ListMultipartUploadParts; "
                + "AllowBucketDiscovery adds s3:ListAllMyBuckets (on *) and s3:GetBucketLocation; AllowCreateBucket adds s3:CreateBucket "
                + "on this bucket. Without AllowBucketDiscovery, set no_check_bucket = true in the rclone remote.",
                PresetPolicyKind.Identity,
                BothKinds,
                new[] { OptAllowObjectAcl, OptAllowMultipart, OptAllowBucketDiscovery, OptAllowCreateBucket },
                "backups/dataset-1/",
                true,
                BuildRclone),
            new PresetDefinition(
                "UpdraftPlus",
                5,
                "UpdraftPlus WordPress backups",
                "UpdraftPlus S3 guide: the IAM policy UpdraftPlus documents for a dedicated backup user.",
                "Allows s3:ListBucket, s3:GetBucketLocation and s3:ListBucketMultipartUploads on the bucket; read, write, delete "
                + "(including object versions), ACL read/write and multipart abort on the objects; and s3:ListAllMyBuckets on *, "
                + "so it can only be an identity policy. A compromised site can delete every backup; see UpdraftPlusSecure.",
                PresetPolicyKind.Identity,
                IdentityOnly,
                Array.Empty<string>(),
                string.Empty,
                false,
                ctx => BuildUpdraft(ctx, allowDelete: true)),
            new PresetDefinition(
                "UpdraftPlusSecure",
                5,
                "UpdraftPlus WordPress backups without delete",
                "UpdraftPlus S3 guide, hardened: the documented policy without s3:DeleteObject and s3:DeleteObjectVersion.",
                "The UpdraftPlus policy without s3:DeleteObject and s3:DeleteObjectVersion, so a compromised site cannot delete "
                + "backups. Bucket versioning and a lifecycle rule that expires noncurrent versions are required alongside it "
                + "(otherwise overwritten backups pile up forever and UpdraftPlus cannot prune old sets). UpdraftPlus's settings "
                + "test is expected to fail to delete its test file; that failure is the point. Also lists all buckets (s3:ListAllMyBuckets on *), "
                + "so it can only be an identity policy.",
                PresetPolicyKind.Identity,
                IdentityOnly,
                Array.Empty<string>(),
                string.Empty,
                false,
                ctx => BuildUpdraft(ctx, allowDelete: false)),
        };

        /// <summary>All presets, in setup order.</summary>
        public static IReadOnlyList<PresetDefinition> All { get; } = Array.AsReadOnly(Presets);

        /// <summary>Finds a preset by name, ignoring case.</summary>
        /// <exception cref="InputValidationException">ErrorId <c>PresetNotFound</c>, listing the valid names.</exception>
        public static PresetDefinition Get(string name)
        {
            foreach (PresetDefinition p in Presets)
            {
                if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
                {
                    return p;
                }
            }

            throw new InputValidationException(
                PresetNotFoundErrorId,
                "Preset",
                "There is no preset named '" + name + "'. Valid presets: " + string.Join(", ", Presets.Select(p => p.Name)) + ".")
            {
                Target = name,
            };
        }

        /// <summary>
        /// Builds the policy for a preset. Validates the bucket name and prefix, refuses options and kinds the preset does
        /// not support, and for <see cref="PresetPolicyKind.Bucket"/> requires <see cref="PresetOptions.PrincipalArn"/> and
        /// adds <c>"Principal": {"AWS": arn}</c> to every statement. ARNs use the principal's partition (default aws).
        /// For <see cref="PresetPolicyKind.Identity"/> the PrincipalArn is ignored: an identity policy applies to whoever it is attached to.
        /// </summary>
        /// <exception cref="InputValidationException">
        /// <c>PresetNotFound</c>, <c>BucketNameInvalid</c>, <c>PrefixInvalid</c>, <c>PresetOptionNotSupported</c> or <c>PrincipalArnInvalid</c>.
        /// </exception>
        public static PolicyDocument Build(string name, PresetOptions options)
        {
            if (options == null)
            {
                throw new ArgumentNullException(nameof(options));
            }

            PresetDefinition preset = Get(name);
            S3Names.ValidateBucketName(options.BucketName, "BucketName");

            string prefix = S3Names.NormalizePrefix(options.Prefix ?? preset.DefaultPrefix, "Prefix");
            if (preset.PrefixRequired && prefix.Length == 0)
            {
                throw new InputValidationException(
                    PrefixRequiredErrorId,
                    "Prefix",
                    "The " + preset.Name + " preset needs a non-empty Prefix (the folder the backups live in), such as '" + preset.DefaultPrefix + "'.")
                {
                    Target = options.Prefix,
                };
            }

            PresetPolicyKind kind = options.Kind ?? preset.DefaultKind;
            if (!preset.SupportedKinds.Contains(kind))
            {
                throw NotSupported(preset, "Kind", "Kind " + kind, "it grants s3:ListAllMyBuckets on \"*\", which a bucket policy cannot grant; use Kind Identity");
            }

            CheckOption(preset, options.NoListBucket, OptNoListBucket);
            CheckOption(preset, options.AllowObjectAcl, OptAllowObjectAcl);
            CheckOption(preset, options.AllowMultipart, OptAllowMultipart);
            CheckOption(preset, options.AllowBucketDiscovery, OptAllowBucketDiscovery);
            CheckOption(preset, options.AllowCreateBucket, OptAllowCreateBucket);

            string partition = "aws";
            if (kind == PresetPolicyKind.Bucket)
            {
                if (options.AllowBucketDiscovery)
                {
                    throw NotSupported(preset, OptAllowBucketDiscovery, OptAllowBucketDiscovery, "a bucket policy cannot grant s3:ListAllMyBuckets; use Kind Identity");
                }

                if (options.AllowCreateBucket)
                {
                    throw NotSupported(preset, OptAllowCreateBucket, OptAllowCreateBucket, "a bucket policy cannot grant s3:CreateBucket on a bucket that does not exist yet; use Kind Identity");
                }

                partition = ValidatePrincipalArn(options.PrincipalArn);
            }

            var ctx = new PresetContext(options.BucketName, prefix, partition, options, kind);
            var doc = new PolicyDocument();
            foreach (PolicyStatement st in preset.Builder(ctx))
            {
                if (kind == PresetPolicyKind.Bucket)
                {
                    var principal = new PrincipalBlock();
                    principal.Values["AWS"] = new List<string> { options.PrincipalArn! };
                    st.Principal = principal;
                }

                doc.Statements.Add(st);
            }

            return doc;
        }

        /// <summary>
        /// Every parent level of a prefix, for s3:prefix conditions: "" then each folder down to the prefix itself.
        /// "backups/dataset-1/" gives "", "backups/", "backups/dataset-1/".
        /// </summary>
        public static IReadOnlyList<string> ParentLevels(string normalizedPrefix)
        {
            var levels = new List<string> { string.Empty };
            int from = 0;
            while (from < normalizedPrefix.Length)
            {
                int slash = normalizedPrefix.IndexOf('/', from);
                if (slash < 0)
                {
                    levels.Add(normalizedPrefix);
                    break;
                }

                levels.Add(normalizedPrefix.Substring(0, slash + 1));
                from = slash + 1;
            }

            return levels;
        }

        private static string ValidatePrincipalArn(string? arn)
        {
            const string Example = "arn:aws:iam::123456789012:user/backup";
            if (string.IsNullOrEmpty(arn))
            {
                throw new InputValidationException(
                    PrincipalArnInvalidErrorId,
                    "PrincipalArn",
                    "A bucket policy needs PrincipalArn: the IAM user or role that runs the backups, such as '" + Example + "'.");
            }

            PrincipalArnParts? parts = IamArns.TryParsePrincipal(arn, allowRoot: true, out string? problem);
            if (parts == null)
            {
                throw new InputValidationException(
                    PrincipalArnInvalidErrorId,
                    "PrincipalArn",
                    "PrincipalArn '" + arn + "' is not an IAM principal ARN: " + problem + ". It must look like '" + Example + "' "
                    + "(arn:<partition>:iam::<12-digit account>:user/<name>, role/<name> or root; on Ceph RGW arn:aws:iam:::user/<name> or arn:aws:iam::<tenant>:user/<name>).")
                {
                    Target = arn,
                };
            }

            return parts.Partition;
        }

        private static void CheckOption(PresetDefinition preset, bool value, string option)
        {
            if (value && !preset.SupportedOptions.Contains(option))
            {
                string supported = preset.SupportedOptions.Count == 0 ? "it takes no options" : "it supports " + string.Join(", ", preset.SupportedOptions);
                throw NotSupported(preset, option, option, supported);
            }
        }

        private static InputValidationException NotSupported(PresetDefinition preset, string parameter, string what, string reason)
        {
            return new InputValidationException(
                OptionNotSupportedErrorId,
                parameter,
                "The " + preset.Name + " preset does not support " + what + ": " + reason + ".")
            {
                Target = preset.Name,
            };
        }

        private static PolicyStatement Statement(string sid, IEnumerable<string> actions, params string[] resources)
        {
            var st = new PolicyStatement { Sid = sid, Effect = PolicyEffect.Allow };
            st.Actions.AddRange(actions);
            st.Resources.AddRange(resources);
            return st;
        }

        private static string BucketArn(PresetContext ctx) => S3Names.BucketArn(ctx.Bucket, ctx.Partition);

        private static string ObjectsArn(PresetContext ctx) => S3Names.ObjectArn(ctx.Bucket, ctx.Prefix + "*", ctx.Partition);

        private static List<PolicyStatement> BuildUploadOnly(PresetContext ctx)
        {
            return new List<PolicyStatement>
            {
                Statement("UploadFilesToBackup", new[] { "s3:PutObject" }, ObjectsArn(ctx)),
            };
        }

        private static List<PolicyStatement> BuildWriteOnly(PresetContext ctx)
        {
            var bucketActions = new List<string>();
            if (!ctx.Options.NoListBucket)
            {
                bucketActions.Add("s3:ListBucket");
            }

            bucketActions.Add("s3:GetBucketLocation");
            return new List<PolicyStatement>
            {
                Statement("BucketPermissions", bucketActions, BucketArn(ctx)),
                Statement("ObjectPermissions", new[] { "s3:PutObject", "s3:PutObjectAcl" }, ObjectsArn(ctx)),
            };
        }

        private static List<PolicyStatement> BuildReadWriteDelete(PresetContext ctx)
        {
            return new List<PolicyStatement>
            {
                Statement("S3BackupPolicy", new[] { "s3:GetObject", "s3:PutObject", "s3:DeleteObject" }, ObjectsArn(ctx)),
            };
        }

        private static List<PolicyStatement> BuildRclone(PresetContext ctx)
        {
            PresetOptions o = ctx.Options;
            string bucket = BucketArn(ctx);
            var result = new List<PolicyStatement>();

            PolicyStatement parents = Statement("ListParentLevels", new[] { "s3:ListBucket" }, bucket);
            parents.Conditions.Add(new ConditionClause("StringEquals", "s3:prefix", ParentLevels(ctx.Prefix)));
            parents.Conditions.Add(new ConditionClause("StringEquals", "s3:delimiter", new[] { "/" }));
            result.Add(parents);

            PolicyStatement inside = Statement("ListInsidePrefix", new[] { "s3:ListBucket" }, bucket);
            inside.Conditions.Add(new ConditionClause("StringLike", "s3:prefix", new[] { ctx.Prefix + "*" }));
            result.Add(inside);

            var objectActions = new List<string> { "s3:GetObject", "s3:PutObject", "s3:DeleteObject" };
            if (o.AllowObjectAcl)
            {
                objectActions.Add("s3:PutObjectAcl");
            }

            if (o.AllowMultipart)
            {
                objectActions.Add("s3:AbortMultipartUpload");
                objectActions.Add("s3:ListMultipartUploadParts");
            }

            result.Add(Statement("ObjectsInsidePrefix", objectActions, ObjectsArn(ctx)));

            var bucketActions = new List<string>();
            if (o.AllowMultipart)
            {
                bucketActions.Add("s3:ListBucketMultipartUploads");
            }

            if (o.AllowBucketDiscovery)
            {
                bucketActions.Add("s3:GetBucketLocation");
            }

            if (o.AllowCreateBucket)
            {
                bucketActions.Add("s3:CreateBucket");
            }

            if (bucketActions.Count > 0)
            {
                result.Add(Statement("BucketOperations", bucketActions, bucket));
            }

            if (o.AllowBucketDiscovery)
            {
                result.Add(Statement("ListAllBuckets", new[] { "s3:ListAllMyBuckets" }, "*"));
            }

            return result;
        }

        private static List<PolicyStatement> BuildUpdraft(PresetContext ctx, bool allowDelete)
        {
            IEnumerable<string> objectActions = allowDelete
                ? UpdraftObjectActions
                : UpdraftObjectActions.Where(a => a != "s3:DeleteObject" && a != "s3:DeleteObjectVersion");
            return new List<PolicyStatement>
            {
                Statement("BucketAccess", new[] { "s3:ListBucket", "s3:GetBucketLocation", "s3:ListBucketMultipartUploads" }, BucketArn(ctx)),
                Statement("ObjectAccess", objectActions, ObjectsArn(ctx)),
                Statement("ListAllBuckets", new[] { "s3:ListAllMyBuckets" }, "*"),
            };
        }
    }
}
