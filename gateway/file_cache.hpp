// The bytes of static files, read once and shared by every response that
// sends them, so many clients downloading the same file at once cost one
// copy of it rather than one each.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

namespace sockgate::gateway {

// One version of a file, as far as stat can tell versions apart: replacing,
// rewriting or touching a file gives a different one.
struct FileVersion {
    uint64_t device = 0;
    uint64_t inode = 0;
    uint64_t size = 0;
    int64_t mtime_ns = 0;
    int64_t ctime_ns = 0;
    bool operator==(const FileVersion& o) const {
        return device == o.device && inode == o.inode && size == o.size && mtime_ns == o.mtime_ns &&
               ctime_ns == o.ctime_ns;
    }
    bool operator!=(const FileVersion& o) const { return !(*this == o); }
};

// The version of the regular file at `path`, following links; nullopt when
// there is none.
std::optional<FileVersion> file_version(const std::string& path);

struct CachedFile {
    FileVersion version;  // of the bytes below, not of whatever the path holds now
    std::string bytes;
};

// Single-threaded, like the rest of the gateway's io_context work.
class FileCache {
public:
    static constexpr size_t kDefaultBudget = size_t(64) << 20;

    // Keeps at most `budget` bytes of files no response is sending. A file
    // larger than that is still read only once while responses share it.
    explicit FileCache(size_t budget = kDefaultBudget) : budget_(budget) {}
    FileCache(const FileCache&) = delete;
    FileCache& operator=(const FileCache&) = delete;

    // The current bytes of the regular file at `path`: those already held
    // when its version is unchanged, else freshly read. nullptr when it
    // cannot be read, or keeps changing while being read.
    std::shared_ptr<const CachedFile> get(const std::string& path);

    size_t kept_bytes() const { return kept_bytes_; }

private:
    struct Slot {
        std::weak_ptr<const CachedFile> file;    // while anyone holds it
        std::shared_ptr<const CachedFile> kept;  // set while it counts against the budget
        std::list<std::string>::iterator lru;    // valid while kept
    };

    void keep(const std::string& path, Slot& slot, std::shared_ptr<const CachedFile> file);
    void forget_kept(Slot& slot);
    void drop_dead_slots();

    size_t budget_;
    size_t kept_bytes_ = 0;
    std::list<std::string> lru_;  // kept files, most recently used first
    std::unordered_map<std::string, Slot> slots_;
};

}  // namespace sockgate::gateway
