using System.Runtime.InteropServices;

namespace Serve.Memory;

/// <summary>glibc's allocator settings, through libc. Callers check <see cref="Version"/> first: elsewhere these entry points do not exist.</summary>
internal static partial class GlibcMalloc
{
    /// <summary><c>M_MMAP_THRESHOLD</c> in glibc's malloc.h.</summary>
    private const int MmapThresholdParameter = -3;

    /// <summary>glibc's version (e.g. "2.36") when this process runs on Linux with glibc; null on musl, Windows, macOS.</summary>
    public static string? Version { get; } = ReadVersion();

    /// <summary>Fixes the mmap threshold (and so turns off glibc's raising of it); false when glibc refused the value.</summary>
    public static bool SetMmapThreshold(int bytes) => Version is not null && MallOpt(MmapThresholdParameter, bytes) == 1;

    private static string? ReadVersion()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }
        try
        {
            return Marshal.PtrToStringUTF8(GnuGetLibcVersion());
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // musl (Alpine) and other C libraries: no gnu_get_libc_version.
            return null;
        }
    }

    [DllImport("libc", EntryPoint = "gnu_get_libc_version", ExactSpelling = true)]
    private static extern IntPtr GnuGetLibcVersion();

    [DllImport("libc", EntryPoint = "mallopt", ExactSpelling = true)]
    private static extern int MallOpt(int parameter, int value);
}
