# Threads: a server written with one thread per client would start them
# like this. The playground cannot start threads.
import threading


def work():
    print("worker thread ran")


t = threading.Thread(target=work)
try:
    t.start()
    t.join()
    print("thread finished")
except RuntimeError as e:
    print("RuntimeError:", e)
print("main program continues")
