using System;
using System.Runtime.InteropServices;
using System.Security;

namespace BackupIam.Engine.Secrets
{
    /// <summary>A SecureString's text, for the one call that must send or write it (a signing key, a CI runner's mask).</summary>
    public static class SecretText
    {
        /// <summary>The plain text; the unmanaged copy is zeroed before it is freed.</summary>
        public static string Reveal(SecureString secret)
        {
            if (secret == null)
            {
                throw new ArgumentNullException(nameof(secret));
            }

            IntPtr pointer = Marshal.SecureStringToGlobalAllocUnicode(secret);
            try
            {
                return Marshal.PtrToStringUni(pointer) ?? string.Empty;
            }
            finally
            {
                Marshal.ZeroFreeGlobalAllocUnicode(pointer);
            }
        }
    }
}
