#include "gateway/file_cache.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace sockgate::gateway {

namespace {

FileVersion version_of(const struct stat& st) {
    FileVersion v;
    v.device = uint64_t(st.st_dev);
    v.inode = uint64_t(st.st_ino);
    v.size = uint64_t(st.st_size);
    v.mtime_ns = int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    v.ctime_ns = int64_t(st.st_ctim.tv_sec) * 1000000000 + st.st_ctim.tv_nsec;
    return v;
}

class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }

private:
    int fd_;
};

std::optional<FileVersion> fd_version(int fd) {
    struct stat st;
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
    return version_of(st);
}

// The whole file, with the version it had before and after the read: a
// rebuild of the web root rewriting it meanwhile must not yield a mix.
std::shared_ptr<CachedFile> read_consistent(const std::string& path) {
    for (int attempt = 0; attempt < 3; ++attempt) {
        const Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
        if (fd.get() < 0) return nullptr;
        const auto before = fd_version(fd.get());
        if (!before) return nullptr;
        auto file = std::make_shared<CachedFile>();
        file->version = *before;
        file->bytes.resize(before->size);
        size_t done = 0;
        bool failed = false;
        while (done < file->bytes.size()) {
            const ssize_t n = ::read(fd.get(), file->bytes.data() + done, file->bytes.size() - done);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                failed = n < 0;
                break;
            }
            done += size_t(n);
        }
        if (failed) return nullptr;
        char extra;
        const bool grew = ::read(fd.get(), &extra, 1) > 0;
        const auto after = fd_version(fd.get());
        if (done == file->bytes.size() && !grew && after && *after == *before) return file;
    }
    return nullptr;
}

}  // namespace

std::optional<FileVersion> file_version(const std::string& path) {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
    return version_of(st);
}

std::shared_ptr<const CachedFile> FileCache::get(const std::string& path) {
    const auto now = file_version(path);
    if (!now) return nullptr;
    Slot& slot = slots_[path];
    if (auto held = slot.file.lock(); held && held->version == *now) {
        if (slot.kept)
            lru_.splice(lru_.begin(), lru_, slot.lru);
        else
            keep(path, slot, held);  // evicted while responses still sent it
        return held;
    }
    std::shared_ptr<const CachedFile> fresh = read_consistent(path);
    if (!fresh) {
        forget_kept(slot);
        slots_.erase(path);
        return nullptr;
    }
    forget_kept(slot);  // an older version: responses under way keep theirs alive
    slot.file = fresh;
    keep(path, slot, fresh);
    drop_dead_slots();
    return fresh;
}

void FileCache::keep(const std::string& path, Slot& slot, std::shared_ptr<const CachedFile> file) {
    if (file->bytes.size() > budget_) return;
    lru_.push_front(path);
    slot.lru = lru_.begin();
    kept_bytes_ += file->bytes.size();
    slot.kept = std::move(file);
    while (kept_bytes_ > budget_) {
        auto victim = slots_.find(lru_.back());
        forget_kept(victim->second);
    }
}

void FileCache::forget_kept(Slot& slot) {
    if (!slot.kept) return;
    kept_bytes_ -= slot.kept->bytes.size();
    lru_.erase(slot.lru);
    slot.kept.reset();
}

// Paths once asked for whose bytes nobody holds any more, so a long-running
// gateway does not collect every name it was asked for.
void FileCache::drop_dead_slots() {
    if (slots_.size() <= 2 * lru_.size() + 64) return;
    for (auto it = slots_.begin(); it != slots_.end();) {
        if (!it->second.kept && it->second.file.expired())
            it = slots_.erase(it);
        else
            ++it;
    }
}

}  // namespace sockgate::gateway
