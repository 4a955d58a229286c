// The CLI tests exercise Unix file modes, FIFOs and symbolic links; the project targets Linux.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
