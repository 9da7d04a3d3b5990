using System;
using System.Collections.Generic;
using BackupIam.Engine.Aws.Iam;
using BackupIam.Engine.Simulation;

namespace BackupIam.Engine.Inspection
{
    /// <summary>An identity policy as IAM holds it: a user's or a group's inline policy, or an attached managed policy.</summary>
    public sealed class InspectedPolicy
    {
        /// <summary>The policy name.</summary>
        public string PolicyName { get; internal set; } = "";

        /// <summary>Inline or Managed.</summary>
        public string Kind { get; internal set; } = "";

        /// <summary>Whose it is: <c>user NAME</c> or <c>group NAME</c>.</summary>
        public string Owner { get; internal set; } = "";

        /// <summary>The managed policy's ARN; null for an inline policy.</summary>
        public string? PolicyArn { get; internal set; }

        /// <summary>The managed policy's default version id; null for an inline policy.</summary>
        public string? VersionId { get; internal set; }

        /// <summary>The policy JSON (decoded), or null when it could not be read.</summary>
        public string? PolicyDocument { get; internal set; }

        /// <summary>The name the simulator reports it under: <c>user/NAME/POLICY</c>, <c>group/NAME/POLICY</c> or the managed policy's name.</summary>
        public string SimulationName => (Kind == "Managed" ? "managed/" : Owner.Replace(' ', '/') + "/") + PolicyName;
    }

    /// <summary>An access key without its secret, with when and where it was last used.</summary>
    public sealed class InspectedAccessKey
    {
        public string AccessKeyId { get; internal set; } = "";

        public string Status { get; internal set; } = "";

        public DateTime CreateDate { get; internal set; }

        public DateTime? LastUsedDate { get; internal set; }

        /// <summary>The service last called with the key (IAM says <c>N/A</c> when never used).</summary>
        public string? LastUsedService { get; internal set; }

        public string? LastUsedRegion { get; internal set; }
    }

    /// <summary>A statement of a bucket policy whose Principal names the user.</summary>
    public sealed class NamingStatement
    {
        public string BucketName { get; internal set; } = "";

        /// <summary>The statement's position in the bucket policy (0-based).</summary>
        public int Index { get; internal set; }

        public string? Sid { get; internal set; }

        public string Effect { get; internal set; } = "";

        public IReadOnlyList<string> Actions { get; internal set; } = new string[0];

        public IReadOnlyList<string> Resources { get; internal set; } = new string[0];

        /// <summary>The statement as JSON.</summary>
        public string Statement { get; internal set; } = "";
    }

    /// <summary>The access matrix of one bucket for an identity.</summary>
    public sealed class BucketAccess
    {
        public string BucketName { get; internal set; } = "";

        /// <summary>The prefix probed ("" for the whole bucket).</summary>
        public string Prefix { get; internal set; } = "";

        /// <summary>True when the bucket's policy was part of the simulation.</summary>
        public bool WithBucketPolicy { get; internal set; }

        public AccessMatrix Matrix { get; internal set; } = null!;
    }

    /// <summary>A group with its members and policies.</summary>
    public sealed class GroupInspection
    {
        public Group Group { get; internal set; } = new Group();

        public IReadOnlyList<string> Members { get; internal set; } = new string[0];

        public IReadOnlyList<InspectedPolicy> InlinePolicies { get; internal set; } = new InspectedPolicy[0];

        public IReadOnlyList<InspectedPolicy> AttachedPolicies { get; internal set; } = new InspectedPolicy[0];

        /// <summary>The access matrix of a member with no policies of its own, per bucket (filled by InspectGroupAsync).</summary>
        public IReadOnlyList<BucketAccess> Access { get; internal set; } = new BucketAccess[0];

        public IList<string> Warnings { get; } = new List<string>();
    }

    /// <summary>Everything that decides what a user (and its keys) can do today.</summary>
    public sealed class UserInspection
    {
        public User User { get; internal set; } = new User();

        public IReadOnlyList<Tag> Tags { get; internal set; } = new Tag[0];

        /// <summary>True when the user carries the module's managed tag.</summary>
        public bool Managed => ManagedTag.IsIn(Tags);

        public IReadOnlyList<InspectedAccessKey> AccessKeys { get; internal set; } = new InspectedAccessKey[0];

        public IReadOnlyList<GroupInspection> Groups { get; internal set; } = new GroupInspection[0];

        public IReadOnlyList<InspectedPolicy> InlinePolicies { get; internal set; } = new InspectedPolicy[0];

        public IReadOnlyList<InspectedPolicy> AttachedPolicies { get; internal set; } = new InspectedPolicy[0];

        /// <summary>True when the user has a console password.</summary>
        public bool HasLoginProfile { get; internal set; }

        public IReadOnlyList<MFADevice> MfaDevices { get; internal set; } = new MFADevice[0];

        /// <summary>The buckets looked at: those given, else those the user's policies name.</summary>
        public IReadOnlyList<string> Buckets { get; internal set; } = new string[0];

        public IReadOnlyList<NamingStatement> BucketPolicyStatements { get; internal set; } = new NamingStatement[0];

        public IReadOnlyList<BucketAccess> Access { get; internal set; } = new BucketAccess[0];

        public IList<string> Warnings { get; } = new List<string>();

        /// <summary>Every identity policy that applies to the user: its own, then its groups'.</summary>
        public IEnumerable<InspectedPolicy> AllIdentityPolicies
        {
            get
            {
                foreach (InspectedPolicy p in InlinePolicies)
                {
                    yield return p;
                }

                foreach (InspectedPolicy p in AttachedPolicies)
                {
                    yield return p;
                }

                foreach (GroupInspection g in Groups)
                {
                    foreach (InspectedPolicy p in g.InlinePolicies)
                    {
                        yield return p;
                    }

                    foreach (InspectedPolicy p in g.AttachedPolicies)
                    {
                        yield return p;
                    }
                }
            }
        }
    }
}
