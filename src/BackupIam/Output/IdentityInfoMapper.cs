using System;
using System.Collections.Generic;
using System.Linq;
using BackupIam.Commands;
using BackupIam.Engine.Inspection;
using BackupIam.Engine.Simulation;

namespace BackupIam
{
    /// <summary>Turns the engine's inspections into Get-BackupUser's and Get-BackupGroup's output objects.</summary>
    internal static class IdentityInfoMapper
    {
        public static BackupUserInfo ToOutput(UserInspection inspection, DateTime now)
        {
            var (access, allowed) = Matrix(inspection.Access);
            return new BackupUserInfo
            {
                UserName = inspection.User.UserName,
                UserId = inspection.User.UserId,
                Arn = inspection.User.Arn,
                Path = inspection.User.Path,
                CreateDate = inspection.User.CreateDate,
                Managed = inspection.Managed,
                Tags = inspection.Tags.Select(t => t.Key + "=" + t.Value).ToArray(),
                AccessKeys = inspection.AccessKeys.Select(k => new BackupAccessKeyInfo
                {
                    UserName = inspection.User.UserName,
                    AccessKeyId = k.AccessKeyId,
                    Status = k.Status,
                    CreateDate = k.CreateDate,
                    AgeDays = Math.Max(0, (int)(now - k.CreateDate.ToUniversalTime()).TotalDays),
                    LastUsedDate = k.LastUsedDate,
                    LastUsedService = k.LastUsedService,
                    LastUsedRegion = k.LastUsedRegion,
                }).ToArray(),
                Groups = inspection.Groups.Select(g => ToOutput(g, withAccess: false)).ToArray(),
                InlinePolicies = inspection.InlinePolicies.Select(ToOutput).ToArray(),
                AttachedPolicies = inspection.AttachedPolicies.Select(ToOutput).ToArray(),
                IdentityPolicies = inspection.AllIdentityPolicies.Select(ToOutput).ToArray(),
                HasConsolePassword = inspection.HasLoginProfile,
                MfaDevices = inspection.MfaDevices.Select(d => d.SerialNumber).ToArray(),
                Buckets = inspection.Buckets.ToArray(),
                BucketPolicyStatements = inspection.BucketPolicyStatements.Select(s => new BackupNamingStatement
                {
                    BucketName = s.BucketName,
                    Index = s.Index,
                    Sid = s.Sid,
                    Effect = s.Effect,
                    Action = s.Actions.ToArray(),
                    Resource = s.Resources.ToArray(),
                    Statement = s.Statement,
                }).ToArray(),
                Access = access,
                Allowed = allowed,
                Warnings = inspection.Warnings.ToArray(),
            };
        }

        public static BackupGroupInfo ToOutput(GroupInspection inspection, bool withAccess)
        {
            var (access, allowed) = withAccess ? Matrix(inspection.Access) : (new BackupAccessDecision[0], new string[0]);
            return new BackupGroupInfo
            {
                GroupName = inspection.Group.GroupName,
                GroupId = inspection.Group.GroupId,
                Arn = inspection.Group.Arn,
                Path = inspection.Group.Path,
                CreateDate = inspection.Group.CreateDate,
                Members = inspection.Members.ToArray(),
                InlinePolicies = inspection.InlinePolicies.Select(ToOutput).ToArray(),
                AttachedPolicies = inspection.AttachedPolicies.Select(ToOutput).ToArray(),
                Buckets = withAccess ? inspection.Access.Select(a => a.BucketName).ToArray() : new string[0],
                Access = access,
                Allowed = allowed,
                Warnings = withAccess ? inspection.Warnings.ToArray() : new string[0],
            };
        }

        private static BackupIdentityPolicy ToOutput(InspectedPolicy policy) => new BackupIdentityPolicy
        {
            PolicyName = policy.PolicyName,
            Kind = policy.Kind,
            Owner = policy.Owner,
            PolicyArn = policy.PolicyArn,
            VersionId = policy.VersionId,
            PolicyDocument = policy.PolicyDocument,
        };

        /// <summary>The matrices as decisions, and the allowed ones as "Action Target" ("BUCKET: " first when there are several buckets).</summary>
        private static (BackupAccessDecision[] Access, string[] Allowed) Matrix(IReadOnlyList<BucketAccess> matrices)
        {
            var access = new List<BackupAccessDecision>();
            var allowed = new List<string>();
            foreach (BucketAccess bucket in matrices)
            {
                string? bucketArn = bucket.Matrix.Entries.FirstOrDefault(e => e.ResourceKind == ResourceKinds.Bucket)?.Resource;
                foreach (AccessMatrixEntry entry in bucket.Matrix.Entries)
                {
                    var decision = new BackupAccessDecision
                    {
                        Action = entry.Action,
                        ResourceKind = entry.ResourceKind,
                        Resource = entry.Resource,
                        Target = TestBackupPolicyCommand.RelativeTarget(entry.Resource, bucketArn, entry.ContextDescription),
                        Context = entry.ContextDescription,
                        Decision = entry.Decision.ToString(),
                        DecidedBy = entry.DecidedBy,
                    };
                    access.Add(decision);
                    if (entry.Decision == Decision.Allowed)
                    {
                        allowed.Add((matrices.Count > 1 ? bucket.BucketName + ": " : string.Empty) + entry.Action + " " + decision.Target);
                    }
                }
            }

            return (access.ToArray(), allowed.ToArray());
        }
    }
}
