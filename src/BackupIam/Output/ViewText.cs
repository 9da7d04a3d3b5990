using System;
using System.Text;

namespace BackupIam
{
    /// <summary>
    /// Text helpers for BackupIam.Format.ps1xml. PowerShell's table wrapping breaks words at the column edge; the views
    /// call <see cref="Wrap"/> so that long text (a finding's Message and Fix, a list of changes) breaks between words.
    /// </summary>
    public static class ViewText
    {
        /// <summary>Breaks text into lines of at most <paramref name="width"/> characters at spaces (a longer word gets a line of its own).</summary>
        public static string Wrap(string? text, int width)
        {
            if (string.IsNullOrEmpty(text) || width < 1 || text!.Length <= width)
            {
                return text ?? string.Empty;
            }

            var result = new StringBuilder();
            int lineLength = 0;
            foreach (string word in text.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries))
            {
                if (lineLength > 0 && lineLength + 1 + word.Length > width)
                {
                    result.Append('\n');
                    lineLength = 0;
                }
                else if (lineLength > 0)
                {
                    result.Append(' ');
                    lineLength++;
                }

                result.Append(word);
                lineLength += word.Length;
            }

            return result.ToString();
        }
    }
}
