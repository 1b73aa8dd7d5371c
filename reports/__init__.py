"""The control side of the method: the results board (picture and text), bonuses, the owner's weekly and
monthly reports and the Excel export. Loaders read the database, ``domain.sales`` and
``domain.reporting`` hold the rules, the renderers only draw."""
