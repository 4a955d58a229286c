using Clearinghouse.Ledger.Keys;
using Clearinghouse.Ledger.Notes;

namespace Clearinghouse.Ledger.Tests;

public sealed class NodeSigningKeyTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ledger-key-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_saved_key_is_owner_only_and_loads_back_to_the_same_key()
    {
        string path = Path.Combine(_directory, "node.key");
        using var key = NodeSigningKey.Generate("clearinghouse.example/log");
        key.Save(path);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }

        using var loaded = NodeSigningKey.Load(path);
        Assert.Equal(key.VerifierKey, loaded.VerifierKey);
        string note = SignedNote.Sign("x\n", loaded);
        Assert.Single(SignedNote.Open(note, new NoteVerifierSet(NoteVerifier.Parse(key.VerifierKey))).Signatures);
        Assert.Empty(Directory.GetFiles(_directory, "*.tmp-*"));
    }

    [Fact]
    public void Save_never_overwrites_an_existing_key()
    {
        string path = Path.Combine(_directory, "node.key");
        using var first = NodeSigningKey.Generate("a.example/log");
        first.Save(path);
        using var second = NodeSigningKey.Generate("a.example/log");
        Assert.Throws<IOException>(() => second.Save(path));
        using var loaded = NodeSigningKey.Load(path);
        Assert.Equal(first.VerifierKey, loaded.VerifierKey);
        Assert.Empty(Directory.GetFiles(_directory, "*.tmp-*"));
    }

    [Theory]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, "640")]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead, "604")]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.OtherWrite, "402")]
    public void A_key_file_others_can_read_or_write_is_refused_with_the_fix(UnixFileMode mode, string octal)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        string path = Path.Combine(_directory, "node.key");
        using var key = NodeSigningKey.Generate("a.example/log");
        key.Save(path);
        File.SetUnixFileMode(path, mode);
        var e = Assert.Throws<KeyFileException>(() => NodeSigningKey.Load(path));
        Assert.Contains($"mode {octal}", e.Message, StringComparison.Ordinal);
        Assert.Contains($"chmod 600 {path}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadOrCreate_generates_once_then_loads_and_checks_the_name()
    {
        string path = Path.Combine(_directory, "node.key");
        using var created = NodeSigningKey.LoadOrCreate(path, "a.example/log", out bool wasCreated);
        Assert.True(wasCreated);
        using var again = NodeSigningKey.LoadOrCreate(path, "a.example/log", out bool wasCreatedAgain);
        Assert.False(wasCreatedAgain);
        Assert.Equal(created.VerifierKey, again.VerifierKey);
        Assert.Throws<KeyFileException>(() => NodeSigningKey.LoadOrCreate(path, "b.example/log", out _));
    }

    [Fact]
    public void A_file_that_is_not_a_key_is_refused_with_its_path()
    {
        string path = Path.Combine(_directory, "node.key");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(path, options))
        {
            stream.Write("PRIVATE+KEY+a.example/log+00000000+AAAA\n"u8);
        }

        var e = Assert.Throws<KeyFileException>(() => NodeSigningKey.Load(path));
        Assert.StartsWith(path, e.Message, StringComparison.Ordinal);
    }
}
