using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using BackupIam.Engine.Aws;
using BackupIam.Engine.Aws.Iam;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Naming;

namespace BackupIam.Engine.Provisioning
{
    /// <summary>
    /// Plans the removal of an IAM user or group and everything that keeps it alive. The plan is built from what IAM
    /// reports now, so a re-run after a partial teardown plans only what is left; every step treats "already gone"
    /// (NoSuchEntity) as done. A user or group that does not exist gives an empty plan.
    /// </summary>
    public sealed class IdentityTeardown
    {
        private readonly IIamClient _iam;

        public IdentityTeardown(IIamClient iam)
        {
            _iam = iam ?? throw new ArgumentNullException(nameof(iam));
        }

        /// <summary>
        /// Access keys, group memberships, inline policies, attached policies, the login profile, MFA devices (in that
        /// order, so that the credentials go first), then the user.
        /// </summary>
        public Task<ResourcePlan> PlanUserAsync(string userName, CancellationToken cancellationToken) => PlanUserCoreAsync(userName, null, cancellationToken);

        /// <summary>
        /// As <see cref="PlanUserAsync(string, CancellationToken)"/>, and first (issue 15) the bucket-policy statements that
        /// name the user (its ARN, or its unique id, which is what AWS shows once a user is deleted): found in the buckets
        /// of <paramref name="buckets"/> and reported in <see cref="UserTeardownPlan.BucketStatements"/>; with
        /// <see cref="UserBucketScope.RemoveStatements"/> the user is taken out of them (the whole statement when it was
        /// its only principal), one write per bucket, before DeleteUser. On a store without IAM users (Ceph RGW answers
        /// GetUser with 405) the user's principal is <c>arn:aws:iam:::user/NAME</c>; its inline policies and bucket
        /// statements are removed, and the user itself is left to the store's own tools, with a warning.
        /// </summary>
        public async Task<UserTeardownPlan> PlanUserAsync(string userName, UserBucketScope buckets, CancellationToken cancellationToken) =>
            (UserTeardownPlan)await PlanUserCoreAsync(userName, buckets ?? throw new ArgumentNullException(nameof(buckets)), cancellationToken).ConfigureAwait(false);

        private async Task<ResourcePlan> PlanUserCoreAsync(string userName, UserBucketScope? buckets, CancellationToken cancellationToken)
        {
            IamNames.ValidateUserName(userName);
            var plan = new UserTeardownPlan(userName) { Exists = true };
            string target = "user " + userName;
            User? user = null;
            try
            {
                user = (await _iam.GetUserAsync(new GetUserRequest { UserName = userName }, cancellationToken).ConfigureAwait(false)).User;
            }
            catch (NoSuchEntityException)
            {
                plan.Exists = false;
                plan.Notes.Add($"IAM user '{userName}' does not exist: nothing to remove.");
                return plan;
            }
            catch (IamServiceException ex) when (buckets != null && ex.ErrorId == "IamOperationNotSupported")
            {
                plan.IamUsersNotSupported = true;
            }

            if (buckets != null)
            {
                var principals = new List<string>();
                if (user != null)
                {
                    principals.Add(user.Arn);
                    if (!string.IsNullOrEmpty(user.UserId))
                    {
                        principals.Add(user.UserId);
                    }
                }
                else
                {
                    principals.Add("arn:aws:iam:::user/" + userName);
                }

                plan.PrincipalsSearched = principals;
                BucketPrincipalSearch search = await BucketPrincipalStatements.FindAsync(buckets.S3, buckets.BucketNames, principals, cancellationToken).ConfigureAwait(false);
                plan.BucketSearch = search;
                foreach (string problem in search.Problems)
                {
                    plan.Warnings.Add("Bucket policies naming IAM user '" + userName + "' may be incomplete: " + problem + ".");
                }

                if (buckets.RemoveStatements)
                {
                    var teardown = new BucketTeardown(buckets.S3);
                    foreach (IGrouping<string, BucketPrincipalMatch> bucket in search.Matches.GroupBy(m => m.BucketName))
                    {
                        string bucketName = bucket.Key;
                        string what = string.Join("; ", bucket.Select(m => m.WholeStatement
                            ? $"remove statement {Label(m)} (the user is its only principal)"
                            : $"take the user out of statement {Label(m)}, keeping its {m.OtherPrincipals.Count} other principal(s)"));
                        plan.Add("s3", "PutBucketPolicy", "bucket " + bucketName, $"Bucket policy of bucket '{bucketName}': {what}", ct =>
                            teardown.RewritePolicyAsync(bucketName, doc => BucketSetup.WithStatements(doc, st => BucketSetup.WithoutPrincipals(st, principals, out _)), ct));
                    }
                }
            }

            if (plan.IamUsersNotSupported)
            {
                // Ceph RGW: inline user policies exist, users and keys are the store's (radosgw-admin).
                foreach (string policy in await _iam.ListAllUserPolicyNamesAsync(userName, cancellationToken).ConfigureAwait(false))
                {
                    plan.Add("iam", "DeleteUserPolicy", target, $"Delete inline policy '{policy}' of user '{userName}'",
                        ct => Gone(_iam.DeleteUserPolicyAsync(new DeleteUserPolicyRequest { UserName = userName, PolicyName = policy }, ct)));
                }

                plan.Warnings.Add($"This store has no IAM users (GetUser answered 405 MethodNotAllowed, as Ceph RGW does): the user '{userName}' and its keys stay; "
                    + $"remove them with the store's own tools (Ceph: radosgw-admin user rm --uid {userName}). Its inline policies and bucket-policy statements are handled here.");
                return plan;
            }

            var keys = await _iam.ListAllAccessKeysAsync(userName, cancellationToken).ConfigureAwait(false);
            var groups = await _iam.ListAllGroupsForUserAsync(userName, cancellationToken).ConfigureAwait(false);
            var inline = await _iam.ListAllUserPolicyNamesAsync(userName, cancellationToken).ConfigureAwait(false);
            var attached = await _iam.ListAllAttachedUserPoliciesAsync(userName, cancellationToken).ConfigureAwait(false);
            bool login = await _iam.HasLoginProfileAsync(userName, cancellationToken).ConfigureAwait(false);
            var mfa = await _iam.ListAllMFADevicesAsync(userName, cancellationToken).ConfigureAwait(false);

            foreach (AccessKeyMetadata key in keys)
            {
                plan.Add("iam", "DeleteAccessKey", target, $"Delete access key {key.AccessKeyId} ({key.Status}) of IAM user '{userName}'",
                    ct => Gone(_iam.DeleteAccessKeyAsync(new DeleteAccessKeyRequest { UserName = userName, AccessKeyId = key.AccessKeyId }, ct)));
            }

            foreach (Group group in groups)
            {
                plan.Add("iam", "RemoveUserFromGroup", target, $"Remove IAM user '{userName}' from group '{group.GroupName}'",
                    ct => Gone(_iam.RemoveUserFromGroupAsync(new RemoveUserFromGroupRequest { UserName = userName, GroupName = group.GroupName }, ct)));
            }

            foreach (string policy in inline)
            {
                plan.Add("iam", "DeleteUserPolicy", target, $"Delete inline policy '{policy}' of IAM user '{userName}'",
                    ct => Gone(_iam.DeleteUserPolicyAsync(new DeleteUserPolicyRequest { UserName = userName, PolicyName = policy }, ct)));
            }

            foreach (AttachedPolicyType policy in attached)
            {
                plan.Add("iam", "DetachUserPolicy", target, $"Detach managed policy {policy.PolicyArn} from IAM user '{userName}'",
                    ct => Gone(_iam.DetachUserPolicyAsync(new DetachUserPolicyRequest { UserName = userName, PolicyArn = policy.PolicyArn }, ct)));
            }

            if (login)
            {
                plan.Add("iam", "DeleteLoginProfile", target, $"Delete the console password (login profile) of IAM user '{userName}'",
                    ct => Gone(_iam.DeleteLoginProfileAsync(new DeleteLoginProfileRequest { UserName = userName }, ct)));
            }

            foreach (MFADevice device in mfa)
            {
                plan.Add("iam", "DeactivateMFADevice", target, $"Deactivate MFA device {device.SerialNumber} of IAM user '{userName}'",
                    ct => Gone(_iam.DeactivateMFADeviceAsync(new DeactivateMFADeviceRequest { UserName = userName, SerialNumber = device.SerialNumber }, ct)));
            }

            plan.Add("iam", "DeleteUser", target, $"Delete IAM user '{userName}'",
                ct => Gone(_iam.DeleteUserAsync(new DeleteUserRequest { UserName = userName }, ct)));
            return plan;
        }

        /// <summary>Members, inline policies, attached policies, then the group. The member users themselves stay.</summary>
        public async Task<ResourcePlan> PlanGroupAsync(string groupName, CancellationToken cancellationToken)
        {
            IamNames.ValidateGroupName(groupName);
            var plan = new ResourcePlan("Group", groupName) { Exists = true };
            string target = "group " + groupName;
            IReadOnlyList<User> members;
            try
            {
                members = await _iam.ListAllGroupUsersAsync(groupName, cancellationToken).ConfigureAwait(false);
            }
            catch (NoSuchEntityException)
            {
                plan.Exists = false;
                plan.Notes.Add($"IAM group '{groupName}' does not exist: nothing to remove.");
                return plan;
            }

            var inline = await _iam.ListAllGroupPolicyNamesAsync(groupName, cancellationToken).ConfigureAwait(false);
            var attached = await _iam.ListAllAttachedGroupPoliciesAsync(groupName, cancellationToken).ConfigureAwait(false);
            foreach (User user in members)
            {
                plan.Add("iam", "RemoveUserFromGroup", target, $"Remove IAM user '{user.UserName}' from group '{groupName}'",
                    ct => Gone(_iam.RemoveUserFromGroupAsync(new RemoveUserFromGroupRequest { UserName = user.UserName, GroupName = groupName }, ct)));
            }

            foreach (string policy in inline)
            {
                plan.Add("iam", "DeleteGroupPolicy", target, $"Delete inline policy '{policy}' of IAM group '{groupName}'",
                    ct => Gone(_iam.DeleteGroupPolicyAsync(new DeleteGroupPolicyRequest { GroupName = groupName, PolicyName = policy }, ct)));
            }

            foreach (AttachedPolicyType policy in attached)
            {
                plan.Add("iam", "DetachGroupPolicy", target, $"Detach managed policy {policy.PolicyArn} from IAM group '{groupName}'",
                    ct => Gone(_iam.DetachGroupPolicyAsync(new DetachGroupPolicyRequest { GroupName = groupName, PolicyArn = policy.PolicyArn }, ct)));
            }

            plan.Add("iam", "DeleteGroup", target, $"Delete IAM group '{groupName}'",
                ct => Gone(_iam.DeleteGroupAsync(new DeleteGroupRequest { GroupName = groupName }, ct)));
            return plan;
        }

        private static string Label(BucketPrincipalMatch m) => m.Sid == null ? "#" + m.Index : "'" + m.Sid + "'";

        /// <summary>Runs a delete; NoSuchEntity means an earlier (interrupted) run already did it.</summary>
        private static async Task<bool> Gone(Task call)
        {
            try
            {
                await call.ConfigureAwait(false);
                return true;
            }
            catch (NoSuchEntityException)
            {
                return false;
            }
        }
    }

    /// <summary>Where Remove-BackupUser looks for bucket-policy statements naming the user.</summary>
    public sealed class UserBucketScope
    {
        public UserBucketScope(IS3Gateway s3)
        {
            S3 = s3 ?? throw new ArgumentNullException(nameof(s3));
        }

        public IS3Gateway S3 { get; }

        /// <summary>The buckets to search; null: the buckets tagged <c>backupiam:managed=true</c>.</summary>
        public IReadOnlyList<string>? BucketNames { get; set; }

        /// <summary>Take the user out of the statements found (else they are only reported).</summary>
        public bool RemoveStatements { get; set; }
    }

    /// <summary>A user's teardown plan, with the bucket-policy statements that name the user.</summary>
    public sealed class UserTeardownPlan : ResourcePlan
    {
        internal UserTeardownPlan(string userName) : base("User", userName) { }

        /// <summary>The principals looked for: the user's ARN and unique id (or RGW's <c>arn:aws:iam:::user/NAME</c>).</summary>
        public IReadOnlyList<string> PrincipalsSearched { get; internal set; } = new string[0];

        /// <summary>What the bucket search found; null when no search was asked for or the user does not exist.</summary>
        public BucketPrincipalSearch? BucketSearch { get; internal set; }

        public IReadOnlyList<BucketPrincipalMatch> BucketStatements => BucketSearch?.Matches ?? (IReadOnlyList<BucketPrincipalMatch>)new BucketPrincipalMatch[0];

        /// <summary>True when the store has no IAM users (GetUser answered 405): the user itself is not removed.</summary>
        public bool IamUsersNotSupported { get; internal set; }
    }
}
