using System;
using System.Management.Automation;
using System.Runtime.InteropServices;
using System.Security;

namespace BackupIam.Abstractions
{
    /// <summary>
    /// Lets a secret parameter typed <c>string</c> take a <see cref="SecureString"/> too (such as the SecretAccessKey
    /// of New-BackupAccessKey's output), instead of PowerShell binding its type name, "System.Security.SecureString".
    /// The plain text exists only as long as the parameter does; it is never written to any stream.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    internal sealed class SecretTextTransformationAttribute : ArgumentTransformationAttribute
    {
        public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
        {
            object? value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
            if (!(value is SecureString secure))
            {
                return inputData;
            }

            IntPtr text = IntPtr.Zero;
            try
            {
                text = Marshal.SecureStringToGlobalAllocUnicode(secure);
                return Marshal.PtrToStringUni(text, secure.Length);
            }
            finally
            {
                if (text != IntPtr.Zero)
                {
                    Marshal.ZeroFreeGlobalAllocUnicode(text);
                }
            }
        }
    }
}
