// The AppHost's local mode and these tests target Linux and macOS machines.
[assembly: System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
