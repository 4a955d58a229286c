using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Clearinghouse.Cli.FileHashing;

/// <summary>Writes <see cref="FileHashResult"/>s as JSON lines or as readable text.</summary>
internal sealed class HashOutput
{
    private static readonly string[] DihedralNames =
        ["original", "rot90", "rot180", "rot270", "flipx", "flipy", "flipplus1", "flipminus1"];

    // Output goes to terminals, files and pipes, never into HTML: '&', '\'' and non-ASCII stay readable (URLs, names),
    // and a vPDQ value (JSON inside a string) shows "\"" rather than "\u0022". Still valid JSON.
    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly TextWriter _out;
    private readonly TextWriter _error;
    private readonly bool _json;
    private readonly ArrayBufferWriter<byte> _buffer = new(512);

    public HashOutput(TextWriter output, TextWriter error, bool json)
    {
        _out = output;
        _error = error;
        _json = json;
    }

    public void Write(FileHashResult result)
    {
        if (_json)
        {
            _out.WriteLine(ToJson(result));
        }
        else if (result.Error is not null)
        {
            _error.WriteLine($"clearinghouse: {result.Path}: {result.Error}");
        }
        else
        {
            _out.Write(ToText(result));
        }
    }

    /// <summary>One value's canonical form under its type's name, or why it is invalid.</summary>
    public void Write(ValueHashResult result)
    {
        if (_json)
        {
            _out.WriteLine(ToJson(result));
        }
        else if (result.Error is not null)
        {
            _error.WriteLine($"clearinghouse: {result.Value}: {result.Error}");
        }
        else
        {
            _out.Write($"{result.Value}\n  {result.Type,-7} {result.Canonical}\n");
        }
    }

    /// <summary>One JSON object: value, then the canonical form under the type's name — or value and error.</summary>
    internal string ToJson(ValueHashResult result)
    {
        _buffer.ResetWrittenCount();
        using (var json = new Utf8JsonWriter(_buffer, JsonOptions))
        {
            json.WriteStartObject();
            json.WriteString("value", result.Value);
            if (result.Error is not null)
            {
                json.WriteString("error", result.Error);
            }
            else
            {
                json.WriteString(result.Type, result.Canonical);
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(_buffer.WrittenSpan);
    }

    /// <summary>One JSON object: path, then pdq {hash, quality, dihedral}, vpdq {…}, md5, sha256, text_tlsh — or path and error.</summary>
    internal string ToJson(FileHashResult result)
    {
        _buffer.ResetWrittenCount();
        using (var json = new Utf8JsonWriter(_buffer, JsonOptions))
        {
            json.WriteStartObject();
            json.WriteString("path", result.Path);
            if (result.Error is not null)
            {
                json.WriteString("error", result.Error);
            }
            else
            {
                if (result.Pdq is { } pdq)
                {
                    json.WriteStartObject("pdq");
                    json.WriteString("hash", pdq.Hash.ToString());
                    json.WriteNumber("quality", pdq.Quality);
                    if (pdq.Dihedral is { } all)
                    {
                        json.WriteStartArray("dihedral");
                        foreach (var h in all)
                        {
                            json.WriteStringValue(h.ToString());
                        }

                        json.WriteEndArray();
                    }

                    json.WriteEndObject();
                }

                if (result.Vpdq is { } vpdq)
                {
                    VpdqOutput.WriteJson(json, vpdq);
                }

                if (result.Md5 is not null)
                {
                    json.WriteString("md5", result.Md5);
                }

                if (result.Sha256 is not null)
                {
                    json.WriteString("sha256", result.Sha256);
                }

                if (result.TextTlsh is not null)
                {
                    json.WriteString("text_tlsh", result.TextTlsh);
                }
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(_buffer.WrittenSpan);
    }

    private static string ToText(FileHashResult result)
    {
        var text = new StringBuilder();
        text.Append(result.Path).Append('\n');
        if (result.Pdq is { } pdq)
        {
            text.Append(CultureInfo.InvariantCulture, $"  pdq     {pdq.Hash}  quality {pdq.Quality}\n");
            if (pdq.Dihedral is { } all)
            {
                for (int i = 1; i < all.Length; i++)
                {
                    text.Append(CultureInfo.InvariantCulture, $"    {DihedralNames[i],-11} {all[i]}\n");
                }
            }
        }

        if (result.Vpdq is { } vpdq)
        {
            VpdqOutput.AppendText(text, vpdq);
        }

        if (result.Md5 is not null)
        {
            text.Append("  md5     ").Append(result.Md5).Append('\n');
        }

        if (result.Sha256 is not null)
        {
            text.Append("  sha256  ").Append(result.Sha256).Append('\n');
        }

        if (result.TextTlsh is not null)
        {
            text.Append("  text_tlsh ").Append(result.TextTlsh).Append('\n');
        }

        return text.ToString();
    }
}
