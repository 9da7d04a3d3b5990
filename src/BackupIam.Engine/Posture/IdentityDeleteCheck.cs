using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using BackupIam.Engine.Aws.Iam;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Inspection;
using BackupIam.Engine.Simulation;

namespace BackupIam.Engine.Posture
{
    /// <summary>
    /// The posture's "who can delete" check (issue 18): the identity policies of the module's users (those tagged
    /// backupiam:managed=true; their own inline and attached policies and their groups' ones, read with
    /// <see cref="IdentityInspector"/>) are simulated with the bucket's policy for s3:DeleteObject and
    /// s3:DeleteObjectVersion on an object of the bucket.
    /// </summary>
    public static class IdentityDeleteCheck
    {
        /// <summary>The delete actions decided.</summary>
        public static readonly IReadOnlyList<string> DeleteActions = new[] { "s3:DeleteObject", "s3:DeleteObjectVersion" };

        /// <summary>The module's users with their identity policies. Failures are the caller's to report.</summary>
        public static async Task<IReadOnlyList<UserInspection>> ReadManagedUsersAsync(IIamClient iam, CancellationToken cancellationToken)
        {
            var inspector = new IdentityInspector(iam, null);
            IReadOnlyList<string> names = await inspector.ListManagedUserNamesAsync(cancellationToken).ConfigureAwait(false);
            var users = await Task.WhenAll(names.Select(async name =>
            {
                try
                {
                    return await inspector.ReadUserPoliciesAsync(name, cancellationToken).ConfigureAwait(false);
                }
                catch (BackupIamException ex) when (ex.ErrorId == "IamUserNotFound")
                {
                    return null; // deleted since it was listed
                }
            })).ConfigureAwait(false);
            return users.Where(u => u != null).Select(u => u!).ToList();
        }

        /// <summary>The finding: which of the users can delete objects (or object versions) of the bucket, and how to stop it.</summary>
        public static PostureFinding Decide(IReadOnlyList<UserInspection> users, string bucketName, string? bucketPolicyJson, bool versioningEnabled, string partition = "aws")
        {
            string objectArn = "arn:" + partition + ":s3:::" + bucketName + "/" + AccessMatrixBuilder.ExampleObjectName;
            var deleters = new List<(string User, string Action, string DecidedBy)>();
            foreach (UserInspection user in users)
            {
                foreach (var (action, result) in IdentityInspector.Decide(user.AllIdentityPolicies, bucketPolicyJson, user.User.Arn, DeleteActions, objectArn))
                {
                    if (result.Decision == Decision.Allowed)
                    {
                        deleters.Add((user.User.UserName, action, result.DecidedBy ?? "?"));
                    }
                }
            }

            if (users.Count == 0)
            {
                return new PostureFinding("IdentityPolicies", PostureStatus.Pass,
                    $"No IAM user carries the tag {ManagedTag.Key}={ManagedTag.Value}, so no user of the module can delete here.",
                    "");
            }

            if (deleters.Count == 0)
            {
                return new PostureFinding("IdentityPolicies", PostureStatus.Pass,
                    $"None of the module's {users.Count} user(s) ({string.Join(", ", users.Select(u => u.User.UserName))}) may delete objects or object versions in {bucketName}: their own and their groups' policies, with the bucket policy, deny s3:DeleteObject and s3:DeleteObjectVersion.",
                    "");
            }

            bool versions = deleters.Any(d => d.Action == "s3:DeleteObjectVersion");
            PostureStatus status = versions || !versioningEnabled ? PostureStatus.Fail : PostureStatus.Warn;
            string detail = "Can delete in " + bucketName + ": " + string.Join("; ", deleters
                .GroupBy(d => d.User, StringComparer.Ordinal)
                .Select(g => "user " + g.Key + " (" + string.Join(", ", g.Select(d => d.Action + " by " + d.DecidedBy)) + ")"))
                + (versions ? "." : "; versioning keeps the old versions" + (versioningEnabled ? "." : ", but versioning is off."));
            string fix = "Take s3:DeleteObject and s3:DeleteObjectVersion out of the policies named (Set-BackupUserPolicy or Set-BackupGroupPolicy with an upload-only preset, for example New-BackupPolicy -Preset UploadOnly), "
                + $"or deny deletes in the bucket policy: Set-BackupBucketProtection -BucketName {bucketName} -BreakGlassPrincipalArn <admin role ARN>. Check one user with Get-BackupUser -UserName <name> -BucketName {bucketName}.";
            return new PostureFinding("IdentityPolicies", status, detail, fix);
        }

        /// <summary>The finding when the users or their policies could not be read.</summary>
        public static PostureFinding Unreadable(BackupIamException ex) =>
            new PostureFinding("IdentityPolicies", PostureStatus.Unknown,
                $"The module's users and their policies could not be read: {ex.ErrorId}: {ex.Message}",
                ex.ErrorId == "IamOperationNotSupported"
                    ? "This store does not list IAM users (Ceph RGW answers 405): decide a user's policies offline with Test-BackupPolicy -Policy <its policies> -BucketPolicy <this bucket's policy> -Action s3:DeleteObject, s3:DeleteObjectVersion."
                    : "Run with credentials that have iam:ListUsers, iam:ListUserTags, iam:ListGroupsForUser, iam:ListUserPolicies, iam:GetUserPolicy, iam:ListAttachedUserPolicies, iam:GetGroup, iam:ListGroupPolicies, iam:GetGroupPolicy, iam:ListAttachedGroupPolicies, iam:GetPolicy and iam:GetPolicyVersion; or check a user with Get-BackupUser -BucketName.");
    }
}
