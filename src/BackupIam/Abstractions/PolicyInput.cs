using System.Collections;
using System.IO;
using System.Management.Automation;
using System.Collections.Specialized;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Policies;

namespace BackupIam.Abstractions
{
    /// <summary>
    /// One policy taken from the pipeline: the engine's <see cref="ParsedPolicy"/>, plus the BackupPolicy it came from
    /// (whose BucketName, Prefix and PrincipalArn callers may use). It is made from our own BackupPolicy, JSON text (also
    /// URL-encoded), a file, any object with a PolicyDocument property, or the object ConvertFrom-Json or a hashtable
    /// makes of a policy. The engine's <see cref="PolicySource"/> does the reading; the only PowerShell work here is
    /// unwrapping PSObjects into plain data.
    /// </summary>
    internal sealed class PolicyInput
    {
        private PolicyInput(ParsedPolicy parsed, BackupPolicy? source)
        {
            Parsed = parsed;
            Source = source;
        }

        public ParsedPolicy Parsed { get; }

        public string Name => Parsed.Name;

        public PolicyDocument Document => Parsed.Document;

        /// <summary>The JSON as given (URL-decoded; used for IAM's size measure).</summary>
        public string Text => Parsed.Text;

        public bool IsBucketPolicy => Parsed.IsBucketPolicy;

        /// <summary>The BackupPolicy the policy came from, or null.</summary>
        public BackupPolicy? Source { get; }

        public static PolicyInput FromText(string text, string name, string parameterName = "Policy") =>
            new PolicyInput(PolicySource.FromText(text, name, parameterName), null);

        public static PolicyInput FromFile(string path, string parameterName) =>
            new PolicyInput(PolicySource.FromFile(path, parameterName), null);

        public static PolicyInput FromObject(object value, string parameterName, int position)
        {
            object item = value is PSObject ps && !(ps.BaseObject is PSCustomObject) ? ps.BaseObject : value;
            return new PolicyInput(Read(value, item, parameterName, position), item as BackupPolicy);
        }

        private static ParsedPolicy Read(object value, object item, string parameterName, int position)
        {
            if (item is BackupPolicy policy)
            {
                return PolicySource.FromDocument(policy.Document, policy.PolicyDocument, policy.PolicyName ?? $"Policy{position}",
                    policy.Kind == "Bucket", policy.PolicyName, policy.Prefix);
            }

            if (item is FileInfo file)
            {
                return PolicySource.FromFile(file.FullName, parameterName);
            }

            string name = $"Policy{position}";
            if (item is string text)
            {
                return PolicySource.FromText(text, name, parameterName);
            }

            PSObject wrapped = PSObject.AsPSObject(value);
            object? document = wrapped.Properties["PolicyDocument"]?.Value;
            if (document != null)
            {
                // Get-IAMUserPolicy and friends: PolicyName plus a (URL-encoded) PolicyDocument.
                name = wrapped.Properties["PolicyName"]?.Value?.ToString() ?? name;
                return PolicySource.Rename(FromObject(document, parameterName, position).Parsed, name);
            }

            object? data = Unwrap(value);
            if ((wrapped.BaseObject is PSCustomObject && wrapped.Properties["Statement"] != null) || (item is IDictionary && PolicySource.IsPolicyData(data)))
            {
                return PolicySource.FromData(data!, name, parameterName, Unwrap);
            }

            throw new InputValidationException(
                PolicySource.InputInvalidErrorId, parameterName,
                $"-{parameterName} takes policy JSON text (also line by line, as Get-Content sends it), a BackupPolicy object from New-BackupPolicy, "
                + $"an object with a PolicyDocument property, or a policy object from ConvertFrom-Json or a hashtable with a Statement key; got {item.GetType().Name}.")
            {
                Target = value,
            };
        }

        /// <summary>
        /// One level of PowerShell wrapping off: a PSCustomObject becomes an ordered dictionary of its note properties,
        /// any other PSObject its base object. The engine walks the rest and calls this on every value.
        /// </summary>
        private static object? Unwrap(object value)
        {
            if (!(value is PSObject ps))
            {
                return value;
            }

            if (!(ps.BaseObject is PSCustomObject))
            {
                return ps.BaseObject;
            }

            var properties = new OrderedDictionary();
            foreach (PSPropertyInfo property in ps.Properties)
            {
                if (property.MemberType == PSMemberTypes.NoteProperty)
                {
                    properties[property.Name] = property.Value;
                }
            }

            return properties;
        }
    }
}
