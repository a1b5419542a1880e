-- No query reads records by change sequence yet, and keeping the index
-- made every update of a record rewrite an index entry. The changes feed
-- brings the index (or table) it needs when it arrives.
DROP INDEX records_by_seq;
