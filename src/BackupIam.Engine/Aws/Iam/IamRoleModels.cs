using System;
using System.Collections.Generic;

namespace BackupIam.Engine.Aws.Iam
{
    /// <summary>An IAM role.</summary>
    public sealed class Role
    {
        /// <summary>Role name.</summary>
        public string RoleName { get; set; } = "";

        /// <summary>Stable unique id (AROA...).</summary>
        public string RoleId { get; set; } = "";

        /// <summary>Role ARN.</summary>
        public string Arn { get; set; } = "";

        /// <summary>Path, <c>/</c> by default.</summary>
        public string Path { get; set; } = "/";

        /// <summary>When the role was created.</summary>
        public DateTime CreateDate { get; set; }

        /// <summary>The trust policy, as JSON (decoded from IAM's URL encoding).</summary>
        public string AssumeRolePolicyDocument { get; set; } = "";

        /// <summary>The description, if any.</summary>
        public string? Description { get; set; }

        /// <summary>Longest session, in seconds (3600 to 43200).</summary>
        public int? MaxSessionDuration { get; set; }

        /// <summary>The permissions boundary, if any.</summary>
        public AttachedPermissionsBoundary? PermissionsBoundary { get; set; }

        /// <summary>Tags.</summary>
        public List<Tag> Tags { get; set; } = new List<Tag>();
    }

    /// <summary>An entry of ListOpenIDConnectProviders.</summary>
    public sealed class OpenIDConnectProviderListEntry
    {
        /// <summary>The provider's ARN, <c>arn:aws:iam::ACCOUNT:oidc-provider/HOST/PATH</c>.</summary>
        public string Arn { get; set; } = "";
    }

#pragma warning disable CS1591 // Request and response members mirror the IAM API reference one to one.
    public sealed class GetRoleRequest { public string RoleName { get; set; } = ""; }

    public sealed class GetRoleResponse : IamResponse { public Role Role { get; set; } = new Role(); }

    public sealed class CreateRoleRequest
    {
        public string RoleName { get; set; } = "";
        public string AssumeRolePolicyDocument { get; set; } = "";
        public string? Path { get; set; }
        public string? Description { get; set; }
        public int? MaxSessionDuration { get; set; }
        public string? PermissionsBoundary { get; set; }
        public List<Tag> Tags { get; set; } = new List<Tag>();
    }

    public sealed class CreateRoleResponse : IamResponse { public Role Role { get; set; } = new Role(); }

    public sealed class UpdateRoleRequest
    {
        public string RoleName { get; set; } = "";
        public string? Description { get; set; }
        public int? MaxSessionDuration { get; set; }
    }

    public sealed class UpdateRoleResponse : IamResponse { }

    public sealed class UpdateAssumeRolePolicyRequest
    {
        public string RoleName { get; set; } = "";
        public string PolicyDocument { get; set; } = "";
    }

    public sealed class UpdateAssumeRolePolicyResponse : IamResponse { }

    public sealed class PutRolePermissionsBoundaryRequest
    {
        public string RoleName { get; set; } = "";
        public string PermissionsBoundary { get; set; } = "";
    }

    public sealed class PutRolePermissionsBoundaryResponse : IamResponse { }

    public sealed class PutRolePolicyRequest
    {
        public string RoleName { get; set; } = "";
        public string PolicyName { get; set; } = "";
        public string PolicyDocument { get; set; } = "";
    }

    public sealed class PutRolePolicyResponse : IamResponse { }

    public sealed class GetRolePolicyRequest
    {
        public string RoleName { get; set; } = "";
        public string PolicyName { get; set; } = "";
    }

    public sealed class GetRolePolicyResponse : IamResponse
    {
        public string RoleName { get; set; } = "";
        public string PolicyName { get; set; } = "";
        public string PolicyDocument { get; set; } = "";
    }

    public sealed class ListRolePoliciesRequest : IamPagedRequest { public string RoleName { get; set; } = ""; }

    public sealed class ListRolePoliciesResponse : IamPagedResponse { public List<string> PolicyNames { get; set; } = new List<string>(); }

    /// <summary>ListOpenIDConnectProviders takes no parameters and does not page.</summary>
    public sealed class ListOpenIDConnectProvidersRequest { }

    public sealed class ListOpenIDConnectProvidersResponse : IamResponse
    {
        public List<OpenIDConnectProviderListEntry> OpenIDConnectProviderList { get; set; } = new List<OpenIDConnectProviderListEntry>();
    }

    public sealed class GetOpenIDConnectProviderRequest { public string OpenIDConnectProviderArn { get; set; } = ""; }

    public sealed class GetOpenIDConnectProviderResponse : IamResponse
    {
        /// <summary>The issuer without its scheme, as IAM stores it (e.g. <c>token.actions.githubusercontent.com</c>).</summary>
        public string Url { get; set; } = "";
        public List<string> ClientIDList { get; set; } = new List<string>();
        public List<string> ThumbprintList { get; set; } = new List<string>();
        public DateTime CreateDate { get; set; }
        public List<Tag> Tags { get; set; } = new List<Tag>();
    }

    public sealed class CreateOpenIDConnectProviderRequest
    {
        /// <summary>The issuer URL, starting with https://.</summary>
        public string Url { get; set; } = "";
        public List<string> ClientIDList { get; set; } = new List<string>();
        public List<string> ThumbprintList { get; set; } = new List<string>();
        public List<Tag> Tags { get; set; } = new List<Tag>();
    }

    public sealed class CreateOpenIDConnectProviderResponse : IamResponse { public string OpenIDConnectProviderArn { get; set; } = ""; }

    public sealed class AddClientIDToOpenIDConnectProviderRequest
    {
        public string OpenIDConnectProviderArn { get; set; } = "";
        public string ClientID { get; set; } = "";
    }

    public sealed class AddClientIDToOpenIDConnectProviderResponse : IamResponse { }

    public sealed class UpdateOpenIDConnectProviderThumbprintRequest
    {
        public string OpenIDConnectProviderArn { get; set; } = "";
        public List<string> ThumbprintList { get; set; } = new List<string>();
    }

    public sealed class UpdateOpenIDConnectProviderThumbprintResponse : IamResponse { }
#pragma warning restore CS1591
}
