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
        private const string OptRequireBofc = nameof(PresetOptions.RequireBucketOwnerFullControl);

        /// <summary>The canned ACL that gives the bucket owner full control of an uploaded object.</summary>
        public const string BucketOwnerFullControl = "bucket-owner-full-control";

        private const string RcloneFlag = "--s3-acl bucket-owner-full-control (or acl = bucket-owner-full-control in the remote)";
        private const string AwsCliFlag = "--acl bucket-owner-full-control";
        private const string S3cmdFlag = "--add-header=x-amz-acl:bucket-owner-full-control";

        private const string HardeningText =
            " Explicit Deny statements (always included; they change nothing that the Allow statements grant) refuse reading, "
            + "re-ACLing and deleting what the preset does not allow, uploads with a public canned ACL, changes to the bucket's "
            + "policy, ACL, versioning, lifecycle and object lock, and (identity policy) creating buckets. They matter where the "
            + "writer owns what it uploads (Ceph RGW), and wherever another policy grants more.";

        private const string BofcText =
            " RequireBucketOwnerFullControl denies uploads without x-amz-acl: bucket-owner-full-control, so that the bucket owner "
            + "can read them on such stores; multipart parts carry no ACL, so on Ceph RGW 16 it refuses every upload in parts.";

        /// <summary>Canned ACLs that make an object readable beyond the bucket owner and the writer.</summary>
        public static readonly IReadOnlyList<string> PublicCannedAcls = Array.AsReadOnly(new[] { "public-read", "public-read-write", "authenticated-read" });

        /// <summary>Object actions a hardened preset denies unless its Allow statements grant them.</summary>
        public static readonly IReadOnlyList<string> HardenedObjectActions = Array.AsReadOnly(new[]
        {
            "s3:GetObject",
            "s3:GetObjectVersion",
            "s3:GetObjectAcl",
            "s3:GetObjectVersionAcl",
            "s3:PutObjectAcl",
            "s3:PutObjectVersionAcl",
            "s3:DeleteObject",
            "s3:DeleteObjectVersion",
            "s3:ListMultipartUploadParts",
            "s3:PutObjectRetention",
            "s3:PutObjectLegalHold",
        });

        /// <summary>Bucket actions a hardened preset denies unless its Allow statements grant them.</summary>
        public static readonly IReadOnlyList<string> HardenedBucketActions = Array.AsReadOnly(new[]
        {
            "s3:ListBucket",
            "s3:ListBucketVersions",
            "s3:ListBucketMultipartUploads",
            "s3:PutBucketPolicy",
            "s3:DeleteBucketPolicy",
            "s3:PutBucketAcl",
            "s3:PutBucketVersioning",
            "s3:PutLifecycleConfiguration",
        });

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
                + "bucket versioning if old backups must survive." + HardeningText + BofcText,
                PresetPolicyKind.Identity,
                BothKinds,
                new[] { OptRequireBofc },
                "backup/",
                false,
                BuildUploadOnly,
                hardened: true),
            new PresetDefinition(
                "WriteOnly",
                2,
                "Write-only bucket policy",
                "Write-only bucket policy: BucketPermissions (ListBucket, GetBucketLocation) and ObjectPermissions (PutObject, PutObjectAcl).",
                "Allows s3:ListBucket and s3:GetBucketLocation on the bucket and s3:PutObject and s3:PutObjectAcl on the objects "
                + "(whole bucket, or under the prefix if one is given). It is not secret-keeping: s3:ListBucket lists every key name, "
                + "and HeadObject still reveals whether an object exists (whether a missing key answers 404 or 403 depends on s3:ListBucket). "
                + "NoListBucket drops s3:ListBucket for a true write-only policy. s3:PutObjectAcl lets the writer make its objects "
                + "public (for example with a public-read ACL) unless ACLs are disabled on the bucket (Object Ownership: bucket owner enforced); "
                + "a Deny refuses the public canned ACLs in the x-amz-acl header, and Block Public Access (IgnorePublicAcls) covers ACLs sent as grants."
                + HardeningText + BofcText,
                PresetPolicyKind.Bucket,
                BothKinds,
                new[] { OptNoListBucket, OptRequireBofc },
                string.Empty,
                false,
                BuildWriteOnly,
                hardened: true),
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
                "Prefix-scoped rclone (copy and sync)",
                "rclone scoped to one prefix: ListBucket at the parent levels only, full object access under the prefix.",
                "For rclone copy and rclone sync (sync deletes, so the preset allows s3:DeleteObject; see RcloneCopy for a key that cannot). "
                + "Allows s3:ListBucket on the bucket only for the parent levels of the prefix (with delimiter /; the bucket root also "
                + "when no prefix is sent, as rclone lsd does) and for keys under "
                + "the prefix, and s3:GetObject, s3:PutObject and s3:DeleteObject on objects under the prefix (default backups/dataset-1/). "
                + "Nothing outside the prefix can be read, written or deleted. Options: AllowObjectAcl adds s3:PutObjectAcl; "
                + "AllowMultipart adds s3:ListBucketMultipartUploads, s3:AbortMultipartUpload and s3:ListMultipartUploadParts; "
                + "AllowBucketDiscovery adds s3:ListAllMyBuckets (on *) and s3:GetBucketLocation; AllowCreateBucket adds s3:CreateBucket "
                + "on this bucket. Without AllowBucketDiscovery, set no_check_bucket = true in the rclone remote." + HardeningText + BofcText,
                PresetPolicyKind.Identity,
                BothKinds,
                new[] { OptAllowObjectAcl, OptAllowMultipart, OptAllowBucketDiscovery, OptAllowCreateBucket, OptRequireBofc },
                "backups/dataset-1/",
                true,
                ctx => BuildRclone(ctx, allowDelete: true),
                hardened: true,
                tool: "rclone",
                clientFlag: RcloneFlag),
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
                + "so it can only be an identity policy. UpdraftPlus reads its backups back, so reading and ACLs stay allowed; "
                + "on Ceph RGW the bucket owner can read them only with x-amz-acl: bucket-owner-full-control, which UpdraftPlus does not "
                + "send: grant the owner read access with the OwnerRestore preset." + HardeningText + BofcText,
                PresetPolicyKind.Identity,
                IdentityOnly,
                new[] { OptRequireBofc },
                string.Empty,
                false,
                ctx => BuildUpdraft(ctx, allowDelete: false),
                hardened: true),
            new PresetDefinition(
                "RcloneCopy",
                0,
                "rclone copy, no delete",
                "rclone copy to one prefix: the Rclone preset without s3:DeleteObject (rclone sync needs Rclone).",
                "For rclone copy. Allows what the Rclone preset allows except s3:DeleteObject: listing at the parent levels of the "
                + "prefix (default backups/dataset-1/) and inside it, and s3:GetObject and s3:PutObject under the prefix. rclone sync "
                + "and rclone delete/purge fail with AccessDenied; an existing key can still be overwritten, so enable versioning. "
                + "Set no_check_bucket = true in the remote. Options as for Rclone." + HardeningText + BofcText,
                PresetPolicyKind.Identity,
                BothKinds,
                new[] { OptAllowObjectAcl, OptAllowMultipart, OptAllowBucketDiscovery, OptAllowCreateBucket, OptRequireBofc },
                "backups/dataset-1/",
                true,
                ctx => BuildRclone(ctx, allowDelete: false),
                hardened: true,
                tool: "rclone",
                clientFlag: RcloneFlag),
            new PresetDefinition(
                "Restic",
                0,
                "restic repository",
                "restic documentation (Examples, Amazon S3): DeleteObject, GetObject, PutObject on the objects; ListBucket, GetBucketLocation on the bucket.",
                "restic's documented permissions: s3:ListBucket and s3:GetBucketLocation on the bucket (restic checks the bucket "
                + "with HEAD, which needs s3:ListBucket with no prefix condition) and s3:GetObject, s3:PutObject and s3:DeleteObject "
                + "on the repository's objects (whole bucket, or under the prefix for a repository at s3:URL/bucket/prefix). "
                + "Whoever holds the key can forget and prune, i.e. delete every snapshot; see ResticNoDelete. restic cannot send "
                + "x-amz-acl, so on Ceph RGW the bucket owner cannot read what restic wrote: restore with the restic key, or grant "
                + "the owner s3:GetObject in the bucket policy." + HardeningText,
                PresetPolicyKind.Identity,
                BothKinds,
                Array.Empty<string>(),
                string.Empty,
                false,
                ctx => BuildRestic(ctx, allowDelete: true),
                hardened: true,
                tool: "restic"),
            new PresetDefinition(
                "ResticNoDelete",
                0,
                "restic repository, no delete",
                "restic documentation, hardened: the documented permissions with s3:DeleteObject only under locks/.",
                "The Restic preset with s3:DeleteObject only under the repository's locks/ (restic removes its lock files), so that "
                + "restic init, backup and check work but forget, prune and any delete of data, index, snapshots, keys or config fail "
                + "with AccessDenied. Run forget/prune with another key. restic cannot send x-amz-acl (see Restic)."
                + HardeningText,
                PresetPolicyKind.Identity,
                BothKinds,
                Array.Empty<string>(),
                string.Empty,
                false,
                ctx => BuildRestic(ctx, allowDelete: false),
                hardened: true,
                tool: "restic"),
            new PresetDefinition(
                "S3cmd",
                0,
                "s3cmd put only",
                "s3cmd put: PutObject under the prefix (multipart uploads are s3:PutObject too).",
                "For s3cmd put. Allows only s3:PutObject under the prefix (default backup/): single and multipart uploads. "
                + "s3cmd get, ls, del, setacl and mb fail with AccessDenied. Upload with --add-header=x-amz-acl:bucket-owner-full-control "
                + "(not --acl-grant, which sends a separate PutObjectAcl that the preset denies)." + HardeningText + BofcText,
                PresetPolicyKind.Identity,
                BothKinds,
                new[] { OptRequireBofc },
                "backup/",
                false,
                BuildUploadOnly,
                hardened: true,
                tool: "s3cmd",
                clientFlag: S3cmdFlag),
            new PresetDefinition(
                "AwsCli",
                0,
                "aws s3 cp only",
                "aws s3 cp of local files: PutObject under the prefix (multipart uploads are s3:PutObject too).",
                "For aws s3 cp from local files to the bucket. Allows only s3:PutObject under the prefix (default backup/): single "
                + "and multipart uploads. aws s3 ls, cp from the bucket, rm, sync (it lists) and mb fail with AccessDenied. Upload with "
                + "--acl bucket-owner-full-control." + HardeningText + BofcText,
                PresetPolicyKind.Identity,
                BothKinds,
                new[] { OptRequireBofc },
                "backup/",
                false,
                BuildUploadOnly,
                hardened: true,
                tool: "aws",
                clientFlag: AwsCliFlag),
            new PresetDefinition(
                "OwnerRestore",
                0,
                "Bucket owner reads every backup (Ceph RGW)",
                "Ceph RGW 16: a bucket policy Allow for the owner is evaluated before the object's ACL, so the owner can read objects another user wrote without bucket-owner-full-control.",
                "A bucket policy for the bucket owner (or a restore principal), not for the backup key: allows s3:GetObject and "
                + "s3:GetObjectVersion on the objects under the prefix (default: whole bucket). On Ceph RGW the writer owns what it "
                + "uploads, and the bucket owner can read an upload only if it carried x-amz-acl: bucket-owner-full-control; this "
                + "statement lets the owner restore what tools that cannot send it (restic, UpdraftPlus) wrote. On AWS with ACLs "
                + "disabled (BucketOwnerEnforced) the owner owns every object already and needs no such grant. Merge it into the "
                + "bucket policy with Set-BackupBucketPolicy; PrincipalArn is the owner, for example arn:aws:iam:::user/admin on RGW. "
                + "As an identity policy it gives a separate restore user read access to the backups.",
                PresetPolicyKind.Bucket,
                BothKinds,
                Array.Empty<string>(),
                string.Empty,
                false,
                ctx => new List<PolicyStatement>
                {
                    Statement("OwnerRestore", new[] { "s3:GetObject", "s3:GetObjectVersion" }, ObjectsArn(ctx)),
                }),
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
            CheckOption(preset, options.RequireBucketOwnerFullControl, OptRequireBofc);

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
            List<PolicyStatement> statements = preset.Builder(ctx);
            if (preset.Hardened)
            {
                statements.AddRange(BuildHardening(ctx, statements));
            }

            foreach (PolicyStatement st in statements)
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

        private static List<PolicyStatement> BuildRclone(PresetContext ctx, bool allowDelete)
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

            // A listing of the bucket root that sends no prefix (rclone lsd remote:bucket): the s3:prefix key is then absent,
            // which StringEquals "" never matches (on AWS as on Ceph RGW), so Null s3:prefix true, still one level only.
            PolicyStatement root = Statement("ListBucketRoot", new[] { "s3:ListBucket" }, bucket);
            root.Conditions.Add(new ConditionClause("Null", "s3:prefix", new[] { "true" }));
            root.Conditions.Add(new ConditionClause("StringEquals", "s3:delimiter", new[] { "/" }));
            result.Add(root);

            var objectActions = new List<string> { "s3:GetObject", "s3:PutObject" };
            if (allowDelete)
            {
                objectActions.Add("s3:DeleteObject");
            }

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

        private static List<PolicyStatement> BuildRestic(PresetContext ctx, bool allowDelete)
        {
            var result = new List<PolicyStatement>
            {
                Statement("BucketAccess", new[] { "s3:ListBucket", "s3:GetBucketLocation" }, BucketArn(ctx)),
            };
            if (allowDelete)
            {
                result.Add(Statement("ObjectAccess", new[] { "s3:GetObject", "s3:PutObject", "s3:DeleteObject" }, ObjectsArn(ctx)));
            }
            else
            {
                result.Add(Statement("ObjectAccess", new[] { "s3:GetObject", "s3:PutObject" }, ObjectsArn(ctx)));
                result.Add(Statement("DeleteLocksOnly", new[] { "s3:DeleteObject" }, S3Names.ObjectArn(ctx.Bucket, ctx.Prefix + "locks/*", ctx.Partition)));
            }

            return result;
        }

        /// <summary>
        /// The explicit Deny statements of a hardened preset, built from its Allow statements so that they never take away
        /// what those grant: every action of <see cref="HardenedObjectActions"/> and <see cref="HardenedBucketActions"/> that
        /// no Allow names; uploads (and ACL writes, where allowed) with a public canned ACL; with
        /// <see cref="PresetOptions.RequireBucketOwnerFullControl"/>, uploads without bucket-owner-full-control; and for an
        /// identity policy, s3:CreateBucket. Only explicit action lists: Ceph RGW 16 evaluates NotAction wrongly.
        /// </summary>
        private static List<PolicyStatement> BuildHardening(PresetContext ctx, List<PolicyStatement> allows)
        {
            var allowed = new HashSet<string>(allows.Where(s => s.Effect == PolicyEffect.Allow).SelectMany(s => s.Actions), StringComparer.OrdinalIgnoreCase);
            string allObjects = S3Names.ObjectArn(ctx.Bucket, "*", ctx.Partition);
            var result = new List<PolicyStatement>();

            // With RequireBucketOwnerFullControl, an upload with a public canned ACL is already denied below.
            var aclWrites = new List<string>();
            if (!ctx.Options.RequireBucketOwnerFullControl)
            {
                aclWrites.Add("s3:PutObject");
            }

            aclWrites.AddRange(new[] { "s3:PutObjectAcl", "s3:PutObjectVersionAcl" }.Where(allowed.Contains));
            if (aclWrites.Count > 0)
            {
                PolicyStatement publicAcl = Deny("DenyPublicAcl", aclWrites, allObjects);
                publicAcl.Conditions.Add(new ConditionClause("StringEquals", "s3:x-amz-acl", PublicCannedAcls));
                result.Add(publicAcl);
            }

            if (ctx.Options.RequireBucketOwnerFullControl)
            {
                PolicyStatement bofc = Deny("DenyWithoutBucketOwnerFullControl", new[] { "s3:PutObject" }, allObjects);
                bofc.Conditions.Add(new ConditionClause("StringNotEquals", "s3:x-amz-acl", new[] { BucketOwnerFullControl }));
                result.Add(bofc);
            }

            // One statement for both lists keeps the preset within IAM's 2048 characters for an inline user policy.
            var denies = HardenedObjectActions.Concat(HardenedBucketActions).Where(a => !allowed.Contains(a)).ToList();
            if (denies.Count > 0)
            {
                result.Add(Deny("DenyReadDeleteAndChanges", denies, BucketArn(ctx), allObjects));
            }

            if (ctx.Kind == PresetPolicyKind.Identity && !allowed.Contains("s3:CreateBucket"))
            {
                result.Add(Deny("DenyCreateBucket", new[] { "s3:CreateBucket" }, "*"));
            }

            return result;
        }

        private static PolicyStatement Deny(string sid, IEnumerable<string> actions, params string[] resources)
        {
            PolicyStatement st = Statement(sid, actions, resources);
            st.Effect = PolicyEffect.Deny;
            return st;
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
