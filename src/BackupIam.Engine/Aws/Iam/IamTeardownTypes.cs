using System;
using System.Collections.Generic;

namespace BackupIam.Engine.Aws.Iam
{
    // Requests, responses and models of the IAM calls that tear a user or a group down (issue 15), shaped like
    // AWSSDK's. Kept in one file so that the shared request/response files stay as they were.

    /// <summary>An MFA device of a user.</summary>
    public sealed class MFADevice
    {
        public string UserName { get; set; } = "";

        /// <summary>The serial number, or the ARN of a virtual device.</summary>
        public string SerialNumber { get; set; } = "";

        public DateTime EnableDate { get; set; }
    }

    public sealed class DetachUserPolicyRequest
    {
        public string UserName { get; set; } = "";
        public string PolicyArn { get; set; } = "";
    }

    public sealed class DetachUserPolicyResponse : IamResponse { }

    public sealed class DetachGroupPolicyRequest
    {
        public string GroupName { get; set; } = "";
        public string PolicyArn { get; set; } = "";
    }

    public sealed class DetachGroupPolicyResponse : IamResponse { }

    public sealed class ListMFADevicesRequest : IamPagedRequest { public string UserName { get; set; } = ""; }

    public sealed class ListMFADevicesResponse : IamPagedResponse { public List<MFADevice> MFADevices { get; set; } = new List<MFADevice>(); }

    public sealed class DeactivateMFADeviceRequest
    {
        public string UserName { get; set; } = "";
        public string SerialNumber { get; set; } = "";
    }

    public sealed class DeactivateMFADeviceResponse : IamResponse { }
}
