using System;
using BackupIam.Engine.Lint;
using BackupIam.Engine.Policies;

namespace BackupIam.Engine.Naming
{
    /// <summary>
    /// The size quotas of policies, and the one way they are measured. The linter, the identity planner and the bucket
    /// planner all ask here, so a policy that passes one passes the others.
    /// </summary>
    public static class PolicySizeLimits
    {
        /// <summary>
        /// The quota of a container: characters without whitespace for IAM policies (user inline 2,048, group inline
        /// 5,120, role inline 10,240, managed 6,144), UTF-8 bytes without whitespace for bucket policies (20,480).
        /// </summary>
        public static int GetLimit(PolicyContainer container)
        {
            switch (container)
            {
                case PolicyContainer.UserInline: return 2048;
                case PolicyContainer.GroupInline: return 5120;
                case PolicyContainer.RoleInline: return 10240;
                case PolicyContainer.Managed: return 6144;
                case PolicyContainer.BucketPolicy: return 20480;
                default: throw new ArgumentOutOfRangeException(nameof(container), container, "Unknown policy container.");
            }
        }

        /// <summary>The unit a container's quota is counted in: "characters" for IAM policies, "bytes" for bucket policies.</summary>
        public static string Unit(PolicyContainer container) => container == PolicyContainer.BucketPolicy ? "bytes" : "characters";

        /// <summary>
        /// The size a container's quota is measured in for <paramref name="policyJson"/>: non-whitespace characters
        /// for IAM policies (IAM does not count whitespace), UTF-8 bytes of the non-whitespace characters for bucket
        /// policies. The same rule whether the text is indented or compact.
        /// </summary>
        public static int Measure(string policyJson, PolicyContainer container)
        {
            if (policyJson == null)
            {
                throw new ArgumentNullException(nameof(policyJson));
            }

            bool bytes = container == PolicyContainer.BucketPolicy;
            int size = 0;
            for (int i = 0; i < policyJson.Length; i++)
            {
                char c = policyJson[i];
                if (char.IsWhiteSpace(c))
                {
                    continue;
                }

                if (!bytes || c < 0x80)
                {
                    size++;
                }
                else if (c < 0x800)
                {
                    size += 2;
                }
                else if (char.IsHighSurrogate(c) && i + 1 < policyJson.Length && char.IsLowSurrogate(policyJson[i + 1]))
                {
                    size += 4;
                    i++;
                }
                else
                {
                    size += 3;
                }
            }

            return size;
        }

        /// <summary>The size of a document's compact canonical rendering, measured as <see cref="Measure"/> does.</summary>
        /// <exception cref="PolicyFormatException">The document breaks the IAM grammar and cannot be rendered.</exception>
        public static int Measure(PolicyDocument document, PolicyContainer container) =>
            Measure(PolicyJson.ToJson(document, indented: false), container);
    }
}
