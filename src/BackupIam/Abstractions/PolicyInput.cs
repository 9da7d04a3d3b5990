using System.Collections;
using System.IO;
using System.Management.Automation;
using System.Collections.Specialized;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Policies;

namespace BackupIam.Abstractions
{
    /// <summary>
    /// Turns one pipeline object into a policy for the engine's <see cref="PolicySource"/>: our own BackupPolicy, JSON
    /// text (also URL-encoded), a file, any object with a PolicyDocument property, or the object ConvertFrom-Json or a
    /// hashtable makes of a policy. The only PowerShell work here is unwrapping PSObjects into plain data.
    /// </summary>
    internal static class PolicyInput
    {
        public static ParsedPolicy FromObject(object value, string parameterName, int position)
        {
            object item = value is PSObject ps && !(ps.BaseObject is PSCustomObject) ? ps.BaseObject : value;
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
                return PolicySource.Rename(FromObject(document, parameterName, position), name);
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
