using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
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
        public async Task<ResourcePlan> PlanUserAsync(string userName, CancellationToken cancellationToken)
        {
            IamNames.ValidateUserName(userName);
            var plan = new ResourcePlan("User", userName) { Exists = true };
            string target = "user " + userName;
            try
            {
                await _iam.GetUserAsync(new GetUserRequest { UserName = userName }, cancellationToken).ConfigureAwait(false);
            }
            catch (NoSuchEntityException)
            {
                plan.Exists = false;
                plan.Notes.Add($"IAM user '{userName}' does not exist: nothing to remove.");
                return plan;
            }

            var keys = await _iam.ListAllAccessKeysAsync(userName, cancellationToken).ConfigureAwait(false);
            var groups = await _iam.ListAllGroupsForUserAsync(userName, cancellationToken).ConfigureAwait(false);
            var inline = await _iam.ListAllUserPolicyNamesAsync(userName, cancellationToken).ConfigureAwait(false);
            var attached = await _iam.ListAllAttachedUserPoliciesAsync(userName, cancellationToken).ConfigureAwait(false);
            bool login = await HasLoginProfileAsync(userName, cancellationToken).ConfigureAwait(false);
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

        private async Task<bool> HasLoginProfileAsync(string userName, CancellationToken cancellationToken)
        {
            try
            {
                await _iam.GetLoginProfileAsync(new GetLoginProfileRequest { UserName = userName }, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (NoSuchEntityException)
            {
                return false;
            }
        }
    }
}
