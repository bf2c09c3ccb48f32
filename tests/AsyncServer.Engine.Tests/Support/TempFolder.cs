namespace AsyncServer.Tests.Support;

/// <summary>A folder under the system temp folder, deleted when disposed.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder(string hint = "test")
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "asyncserver-tests", $"{hint}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
