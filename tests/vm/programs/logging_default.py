import logging
log = logging.getLogger("app")
log.info("hidden %s", 1)
log.warning("careful %d", 5)
logging.error("root error")
logging.basicConfig(level=logging.INFO)
log.info("shown %s", "now")
logging.getLogger("app").debug("not shown")
try:
    1 / 0
except ZeroDivisionError:
    log.exception("failed")
print("done")
